package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.ProcessInfo;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attribution stage over identities as the kernel reports them, a /proc tree and runtime state
 * written by the test (absent: the runtime already removed them), and a test clock. Resolution runs
 * on the stage's real resolver threads; the test drives the poller's side.
 */
class ContainerAttributionTest {
    private static final long HOST_NS = 4026531841L;
    private static final long HOST_PIDNS = 4026531836L;
    private static final long NS = 4026532177L;
    private static final String ID_A = "a".repeat(64);
    private static final int RUNC_PID = 50;

    @TempDir
    Path proc;
    @TempDir
    Path state;
    @TempDir
    Path sockets;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    /** Written on the test thread, which plays the poller. */
    private final List<Event> delivered = new ArrayList<>();
    private final List<Long> forgotten = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private static final int MAX_HELD = 100;

    private ContainerAttribution stage(List<Path> dockerSockets, int maxEntries) {
        return stage(dockerSockets, maxEntries, Duration.ofSeconds(2));
    }

    private ContainerAttribution stage(List<Path> dockerSockets, int maxEntries, Duration apiTimeout) {
        ContainerResolver resolver = new ContainerResolver(
                new ContainerSources(List.of(new ContainerSources.StateRoot(state, "runc")), dockerSockets),
                new ProcFs(proc), HOST_PIDNS, "pids", apiTimeout);
        ContainerAttribution s = new ContainerAttribution(resolver, HOST_NS, delivered::add, forgotten::add, maxEntries,
                MAX_HELD, clock::get);
        closing.add(s);
        return s;
    }

    private ContainerAttribution stage() {
        return stage(List.of(), 64);
    }

    /** What the kernel records for the first task of a runc container: runc placed it in /ID. */
    private static NamespaceIdentity runcInit(long mntnsId, String id) {
        return new NamespaceIdentity(NS, mntnsId, 101, "runc:[2:INIT]", "/" + id, 900, "/" + id, 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1),
                        new NamespaceIdentity.Ancestor(40, "bash", 1)));
    }

    private static Event event(int pid, long mntns, long mntnsId) {
        return event(pid, mntns, mntnsId, 1);
    }

    private static Event event(int pid, long mntns, long mntnsId, long cgroupId) {
        return new ForkEvent(0, new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, "cat", "sh", mntns, mntnsId, 0, cgroupId,
                ContainerInfo.UNRESOLVED), pid + 1);
    }

    /** Runs the poller's side until cond holds (resolution is on other threads); fails after 10 s. */
    static void pollUntil(ContainerAttribution s, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            s.releaseReady();
            Thread.sleep(1);
        }
    }

    private void runcState(String id, int initPid, Path bundle) throws IOException {
        Path dir = Files.createDirectories(state.resolve(id));
        Files.writeString(dir.resolve("state.json"), "{\"id\":\"" + id + "\",\"init_process_pid\":" + initPid
                + ",\"config\":{\"labels\":[\"bundle=" + bundle + "\"]}}");
    }

    /** A live process of the host's pid namespace in /proc: its mount namespace, name, parent and arguments. */
    private void process(int pid, long mntns, String comm, int ppid, String... argv) throws IOException {
        ProcTree.process(proc, HOST_PIDNS, pid, mntns, comm, ppid, argv);
    }

    @Test
    void hostEventsPassAtOnceAsTheHost() {
        ContainerAttribution s = stage();
        s.offer(event(7, HOST_NS, 1));
        assertThat(delivered).singleElement().satisfies(e -> assertThat(e.process().container()).isEqualTo(ContainerInfo.HOST));
        assertThat(s.resolutions()).isZero();
    }

    @Test
    void aContainerWhoseProcessAndStateAreGoneIsStillItselfFromWhatTheKernelCaptured() throws Exception {
        // runc ran `cat` and deleted everything before anyone looked: no /proc entry, no state dir.
        ContainerAttribution s = stage();
        String id = "web-1";
        s.onIdentity(runcInit(7, id));
        s.offer(event(101, NS, 7));
        s.offer(event(102, NS, 7));
        pollUntil(s, () -> delivered.size() == 2);
        assertThat(delivered).allSatisfy(e -> {
            assertThat(e.process().container().id()).isEqualTo(id);
            assertThat(e.process().container().runtime()).isEqualTo("runc");
        });
        assertThat(delivered).extracting(e -> e.process().pid()).containsExactly(101, 102); // in order
        assertThat(s.unresolvedEvents()).isZero();
    }

    @Test
    void whatNothingNamesIsUnresolvedNeverTheHost() throws Exception {
        // A host shell that unshared its mount namespace: no runtime above it, no container cgroup.
        ContainerAttribution s = stage();
        s.onIdentity(new NamespaceIdentity(NS, 9, 300, "unshare", "/user.slice/session-1.scope", 77, "/", 1, "pids",
                List.of(new NamespaceIdentity.Ancestor(299, "bash", 1))));
        s.offer(event(300, NS, 9));
        pollUntil(s, () -> delivered.size() == 1);
        ContainerInfo c = delivered.get(0).process().container();
        assertThat(c).isEqualTo(ContainerInfo.UNRESOLVED);
        assertThat(c.id()).isNotEqualTo("host");
        assertThat(s.unresolvedEvents()).isEqualTo(1);
    }

    @Test
    void aProcessTheRuntimeHasNotMovedYetIsNotNamedAfterTheRuntimesCgroup() throws Exception {
        // crun creates the namespace before it moves the process into the container's cgroup: the
        // first description shows crun's own cgroup, which must not be taken for a container id.
        process(RUNC_PID, HOST_NS, "crun", 1, "crun", "--version"); // alive, but argv names no container
        ContainerAttribution s = stage();
        s.onIdentity(new NamespaceIdentity(NS, 11, 101, "crun", "/", 1, "/user.slice", 5, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "crun", 5))));
        s.offer(event(101, NS, 11));
        s.releaseReady();
        assertThat(delivered).isEmpty(); // held: crun still runs, so more may come
        s.onIdentity(new NamespaceIdentity(NS, 11, 101, "crun", "/", 1, "/user.slice/db-2", 6, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "crun", 5))));
        s.offer(event(101, NS, 11));
        pollUntil(s, () -> s.inFlight() == 0);
        clock.addAndGet(ContainerAttribution.HOLD_NANOS); // crun runs on: its records could still come; they did not
        s.releaseReady();
        assertThat(delivered).hasSize(2)
                .allSatisfy(e -> assertThat(e.process().container().id()).isEqualTo("db-2"));
    }

    @Test
    void theRuntimesRecordsCompleteTheIdentityWhileTheyExist() throws Exception {
        Path bundle = Files.createDirectories(state.resolve("bundles/web-2"));
        Files.writeString(bundle.resolve("config.json"),
                "{\"annotations\":{\"org.opencontainers.image.ref.name\":\"registry.example/web:2\"}}");
        runcState("web-2", 101, bundle);
        ContainerAttribution s = stage();
        s.onIdentity(runcInit(12, "web-2"));
        s.offer(event(101, NS, 12));
        pollUntil(s, () -> delivered.size() == 1);
        ContainerInfo c = delivered.get(0).process().container();
        assertThat(c.id()).isEqualTo("web-2");
        assertThat(c.image()).isEqualTo("registry.example/web:2");
    }

    @Test
    void theRuntimesCommandLineNamesTheContainerBeforeItsStateIsWritten() throws Exception {
        Path bundle = Files.createDirectories(state.resolve("bundles/job-3"));
        Files.writeString(bundle.resolve("config.json"),
                "{\"annotations\":{\"org.opencontainers.image.ref.name\":\"registry.example/job:3\"}}");
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "--root", state.toString(), "run", "--bundle", bundle.toString(), "job-3");
        ContainerAttribution s = stage();
        // Placed in a cgroup that is not named after it (cgroupsPath): only argv names it.
        s.onIdentity(new NamespaceIdentity(NS, 13, 101, "runc:[2:INIT]", "/jobs/batch", 900, "/jobs/batch", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1))));
        s.offer(event(101, NS, 13));
        pollUntil(s, () -> s.resolutions() > 0 && s.inFlight() == 0);
        assertThat(delivered).isEmpty(); // runc runs on: its state may yet be written
        // runc exits without having written state (it failed, or we looked too late): asked once
        // more, only the cgroup is left, which names no container here; argv's answer stands.
        Files.walk(proc.resolve(Integer.toString(RUNC_PID))).sorted(java.util.Comparator.reverseOrder())
                .forEach(p -> p.toFile().delete());
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        pollUntil(s, () -> delivered.size() == 1);
        ContainerInfo c = delivered.get(0).process().container();
        assertThat(c.id()).isEqualTo("job-3");
        assertThat(c.image()).isEqualTo("registry.example/job:3");
    }

    /**
     * containerd's runc still creating the container when the hold ends (a loaded machine: runc
     * writes its state last): the events leave named by the bundle's CRI annotations, as they would
     * be from the state, not by the id (ContainerdK8sNamespaceTest's name = id under load).
     */
    @Test
    void aContainerStillBeingCreatedWhenTheHoldEndsIsNamedByItsBundlesAnnotations() throws Exception {
        Path bundle = Files.createDirectories(state.resolve("bundles/k8s-app-1"));
        Files.writeString(bundle.resolve("config.json"), """
                {"annotations":{"io.kubernetes.cri.container-name":"app","io.kubernetes.cri.sandbox-name":"checkout-5c7d8",
                 "io.kubernetes.cri.sandbox-namespace":"payments","io.kubernetes.cri.image-name":"registry.example/app:1"}}""");
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "--root", state.toString(), "create", "--bundle", bundle.toString(),
                "k8s-app-1");
        process(40, HOST_NS, "containerd-shim", 1, "containerd-shim-runc-v2", "-namespace", "k8s.io");
        ContainerAttribution s = stage();
        // ctr's cgroup (/k8s.io/ID) is no runtime's layout; the shim above runc says containerd.
        s.onIdentity(new NamespaceIdentity(NS, 15, 101, "runc:[2:INIT]", "/k8s.io/k8s-app-1", 900, "/k8s.io/k8s-app-1", 901,
                "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1),
                        new NamespaceIdentity.Ancestor(40, "containerd-shim", 1))));
        s.offer(event(101, NS, 15));
        pollUntil(s, () -> s.resolutions() > 0 && s.inFlight() == 0);
        assertThat(delivered).isEmpty(); // runc runs on: its state may yet be written
        clock.addAndGet(ContainerAttribution.HOLD_NANOS);
        pollUntil(s, () -> delivered.size() == 1);
        ContainerInfo c = delivered.get(0).process().container();
        assertThat(c.id()).isEqualTo("k8s-app-1");
        assertThat(c.name()).isEqualTo("app");
        assertThat(c.podName()).isEqualTo("checkout-5c7d8");
        assertThat(c.podNamespace()).isEqualTo("payments");
        assertThat(c.image()).isEqualTo("registry.example/app:1");
        assertThat(c.runtime()).isEqualTo("containerd");

        // runc writes its state at last, in a root that names only the runtime (as /run/runc does): the late
        // look reads it, a stronger answer than the command line's, and it must not rename the engine "runc"
        // while containerd's shim runs above runc (ContainerdK8sNamespaceTest's "runc" under load).
        runcState("k8s-app-1", 101, bundle);
        long looks = s.resolutions();
        clock.addAndGet(ContainerAttribution.LATE_MAX_DELAY_NANOS);
        s.offer(event(101, NS, 15));
        pollUntil(s, () -> s.resolutions() > looks && s.inFlight() == 0);
        s.offer(event(101, NS, 15));
        pollUntil(s, () -> delivered.size() == 3);
        ContainerInfo afterState = delivered.get(2).process().container();
        assertThat(afterState.id()).isEqualTo("k8s-app-1");
        assertThat(afterState.name()).isEqualTo("app");
        assertThat(afterState.runtime()).isEqualTo("containerd");
    }

    /**
     * containerd's shim named the engine; once the shim is gone, the late look finds runc's state in a root
     * that names only the runtime (the stronger basis): it says less of the same stack, so the container
     * stays containerd's (before, the late look renamed it "runc"), and no disagreement is counted.
     */
    @Test
    void aLaterAnswerThatNamesOnlyTheRuntimeKeepsTheEngine() throws Exception {
        Path bundle = Files.createDirectories(state.resolve("bundles/k8s-app-2"));
        Files.writeString(bundle.resolve("config.json"), "{\"annotations\":{\"io.kubernetes.cri.container-name\":\"app\"}}");
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "--root", state.toString(), "create", "--bundle", bundle.toString(),
                "k8s-app-2");
        process(40, HOST_NS, "containerd-shim", 1, "containerd-shim-runc-v2", "-namespace", "k8s.io");
        ContainerAttribution s = stage();
        s.onIdentity(new NamespaceIdentity(NS, 16, 101, "runc:[2:INIT]", "/k8s.io/k8s-app-2", 900, "/k8s.io/k8s-app-2", 901,
                "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1),
                        new NamespaceIdentity.Ancestor(40, "containerd-shim", 1))));
        s.offer(event(101, NS, 16));
        pollUntil(s, () -> s.resolutions() > 0 && s.inFlight() == 0);
        clock.addAndGet(ContainerAttribution.HOLD_NANOS);
        pollUntil(s, () -> delivered.size() == 1);
        assertThat(delivered.get(0).process().container().runtime()).isEqualTo("containerd");

        runcState("k8s-app-2", 101, bundle);
        try (var files = Files.walk(proc.resolve("40"))) {   // the shim is gone: nothing says containerd any more
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        long looks = s.resolutions();
        clock.addAndGet(ContainerAttribution.LATE_MAX_DELAY_NANOS);
        s.offer(event(101, NS, 16));
        pollUntil(s, () -> s.resolutions() > looks && s.inFlight() == 0);
        s.offer(event(101, NS, 16));
        pollUntil(s, () -> delivered.size() == 3);
        ContainerInfo after = delivered.get(2).process().container();
        assertThat(after.id()).isEqualTo("k8s-app-2");
        assertThat(after.runtime()).isEqualTo("containerd");
        assertThat(ContainerAttribution.engineLabels()).allSatisfy(l -> assertThat(s.engineDisagreements(l)).isZero());
    }

    /** A runc container (id A) whose runtime runs below a trusted engine process (comm), in cgroup cgroup. */
    private NamespaceIdentity belowEngine(long mntnsId, String cgroup, String engineComm) {
        return new NamespaceIdentity(NS, mntnsId, 101, "runc:[2:INIT]", cgroup, 900, cgroup, 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1), new NamespaceIdentity.Ancestor(40, engineComm, 1)));
    }

    /** Two answers about container A: the first from its runtime's trusted engine process, the second from its cgroup. */
    private ContainerInfo engineAfter(ContainerAttribution s, long mntnsId, String engineComm, String laterCgroup)
            throws Exception {
        Path bundle = Files.createDirectories(state.resolve("bundles/" + mntnsId));
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "create", "--bundle", bundle.toString(), ID_A);
        process(40, HOST_NS, engineComm, 1, engineComm);
        s.onIdentity(belowEngine(mntnsId, "/jobs/batch", engineComm));
        s.offer(event(101, NS, mntnsId));
        pollUntil(s, () -> s.resolutions() > 0 && s.inFlight() == 0);
        long looks = s.resolutions();
        // The kernel describes the namespace again: its cgroup changed to one a runtime's layout names.
        s.onIdentity(belowEngine(mntnsId, laterCgroup, engineComm));
        s.offer(event(101, NS, mntnsId));
        pollUntil(s, () -> s.resolutions() > looks && s.inFlight() == 0);
        clock.addAndGet(ContainerAttribution.HOLD_NANOS);
        pollUntil(s, () -> delivered.size() == 2);
        assertThat(delivered).extracting(e -> e.process().container().id()).containsOnly(ID_A);
        return delivered.get(1).process().container();
    }

    /**
     * Docker runs its containers through containerd (containerd-shim-runc-v2 above runc, namespace
     * "moby"): the shim's "containerd", then Docker's cgroup layout, is Docker's container named more
     * precisely, not a disagreement.
     */
    @Test
    void dockersCgroupAfterContainerdsShimNamesDockerWithoutADisagreement() throws Exception {
        ContainerAttribution s = stage();
        assertThat(engineAfter(s, 17, "containerd-shim", "/docker/" + ID_A).runtime()).isEqualTo("docker");
        assertThat(ContainerAttribution.engineLabels()).allSatisfy(l -> assertThat(s.engineDisagreements(l)).isZero());
    }

    /**
     * CRI-O runs conmon above the runtime too: conmon's "conmon", then CRI-O's cgroup layout, is CRI-O's
     * container named more precisely. Before, conmon said "podman", the cgroup's cri-o contradicted it, was
     * counted as a disagreement and the container stayed "podman".
     */
    @Test
    void crioCgroupAfterConmonNamesCrioWithoutADisagreement() throws Exception {
        ContainerAttribution s = stage();
        assertThat(engineAfter(s, 19, "conmon", "/machine.slice/crio-" + ID_A + ".scope").runtime()).isEqualTo("cri-o");
        assertThat(ContainerAttribution.engineLabels()).allSatisfy(l -> assertThat(s.engineDisagreements(l)).isZero());
    }

    /** podman's own cgroup layout after its conmon: podman, no disagreement. */
    @Test
    void podmansCgroupAfterConmonNamesPodmanWithoutADisagreement() throws Exception {
        ContainerAttribution s = stage();
        assertThat(engineAfter(s, 20, "conmon", "/machine.slice/libpod-" + ID_A + ".scope").runtime()).isEqualTo("podman");
        assertThat(ContainerAttribution.engineLabels()).allSatisfy(l -> assertThat(s.engineDisagreements(l)).isZero());
    }

    /** conmon above the runtime, and podman's own event log knows the container: it is podman's, named by podman. */
    @Test
    void podmansEventLogNamesAConmonContainerPodmans() throws Exception {
        Path log = Files.writeString(state.resolve("podman-events.log"), "{\"ID\":\"" + ID_A + "\",\"Image\":"
                + "\"localhost/web:1\",\"Name\":\"web\",\"Status\":\"create\",\"Time\":\"2026-12-07T06:23:57Z\","
                + "\"Type\":\"container\",\"Attributes\":{}}\n");
        ContainerResolver resolver = new ContainerResolver(
                new ContainerSources(List.of(new ContainerSources.StateRoot(state, "runc")), List.of()).withPodmanEventLog(log),
                new ProcFs(proc), HOST_PIDNS, "pids", Duration.ofSeconds(2));
        ContainerAttribution s = new ContainerAttribution(resolver, HOST_NS, delivered::add, forgotten::add, 64, MAX_HELD,
                clock::get);
        closing.add(s);
        Path bundle = Files.createDirectories(state.resolve("bundles/21"));
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "create", "--bundle", bundle.toString(), ID_A);
        process(40, HOST_NS, "conmon", 1, "conmon");
        s.onIdentity(belowEngine(21, "/jobs/batch", "conmon"));
        s.offer(event(101, NS, 21));
        pollUntil(s, () -> delivered.size() == 1);
        ContainerInfo c = delivered.get(0).process().container();
        assertThat(List.of(c.id(), c.name(), c.image(), c.runtime())).containsExactly(ID_A, "web", "localhost/web:1", "podman");
    }

    /**
     * A trusted conmon (podman's or CRI-O's) named the engine; a later look whose cgroup says Docker
     * contradicts it: counted once under the engine known, and the known engine kept (a cgroup path can be
     * changed from inside a privileged container, a trusted conmon cannot be made up). Before, the later
     * answer silently renamed the container a Docker one.
     */
    @Test
    void aCgroupThatContradictsATrustedEngineIsCountedAndDoesNotRenameIt() throws Exception {
        ContainerAttribution s = stage();
        assertThat(engineAfter(s, 18, "conmon", "/docker/" + ID_A).runtime()).isEqualTo("conmon");
        assertThat(s.engineDisagreements("conmon")).isEqualTo(1);
        // Asked again (an exec, a late look) with the same answer: the container is counted once.
        long looks = s.resolutions();
        s.onIdentity(belowEngine(18, "/docker/" + ID_A + "/sub", "conmon"));
        s.offer(event(101, NS, 18));
        pollUntil(s, () -> s.resolutions() > looks && s.inFlight() == 0);
        s.offer(event(101, NS, 18));
        pollUntil(s, () -> delivered.size() == 4);
        assertThat(delivered.get(3).process().container().runtime()).isEqualTo("conmon");
        assertThat(s.engineDisagreements("conmon")).isEqualTo(1);
        assertThat(ContainerAttribution.engineLabels()).filteredOn(l -> !l.equals("conmon"))
                .allSatisfy(l -> assertThat(s.engineDisagreements(l)).isZero());
    }

    @Test
    void aProcessInAContainerThatCallsItselfRuncIsNotBelieved() throws Exception {
        // Inside container "web-1" (its own pid namespace) a process named "runc" makes a mount
        // namespace and claims, in its argv, to create container "admin" from a host directory.
        Path bundle = Files.createDirectories(state.resolve("bundles/admin"));
        Files.writeString(bundle.resolve("config.json"), "{\"annotations\":{\"org.opencontainers.image.ref.name\":\"x\"}}");
        process(RUNC_PID, NS, "runc", 40, "runc", "run", "--bundle", bundle.toString(), "admin");
        Path pidns = proc.resolve(Integer.toString(RUNC_PID)).resolve("ns").resolve("pid");
        Files.delete(pidns);
        Files.createSymbolicLink(pidns, Path.of("pid:[4026532999]"));
        ContainerAttribution s = stage();
        s.onIdentity(new NamespaceIdentity(NS + 5, 14, 101, "sh", "/web-1", 900, "/web-1", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 901))));
        s.offer(event(101, NS + 5, 14));
        pollUntil(s, () -> delivered.size() == 1);
        assertThat(delivered.get(0).process().container().id()).isNotEqualTo("admin").isNotEqualTo("host");
    }

    @Test
    void aReusedNamespaceNumberNeverInheritsTheOldIdentity() throws Exception {
        ContainerAttribution s = stage();
        s.onIdentity(runcInit(20, "first"));
        s.offer(event(101, NS, 20));
        pollUntil(s, () -> delivered.size() == 1);
        s.onIdentity(runcInit(21, "second")); // same inode number, new namespace id
        s.offer(event(101, NS, 21));
        s.offer(event(101, NS, 20)); // a late event of the first
        pollUntil(s, () -> delivered.size() == 3);
        // Order across namespaces is not promised (each namespace is held on its own); what each event is named is.
        assertThat(delivered).extracting(e -> e.process().mntnsId() + "=" + e.process().container().id())
                .containsExactlyInAnyOrder("20=first", "21=second", "20=first");
    }

    @Test
    void aHungDockerDaemonHoldsOnlyItsNamespaceAndIsNotAskedAgainAtOnce() throws Exception {
        Path socket = sockets.resolve("docker.sock");
        AtomicInteger connections = new AtomicInteger();   // container lookups
        AtomicInteger streams = new AtomicInteger();       // the event stream, made again only after a ping went unanswered
        AtomicInteger pings = new AtomicInteger();         // the event stream's liveness checks
        List<SocketChannel> open = hungDaemon(socket, line ->
                (line.startsWith("GET /events") ? streams : line.startsWith("GET /_ping") ? pings : connections).incrementAndGet());
        long started = System.nanoTime();
        ContainerAttribution s = stage(List.of(socket), 64);
        NamespaceIdentity docker = new NamespaceIdentity(NS, 30, 101, "runc:[2:INIT]", "/docker/" + ID_A, 900,
                "/docker/" + ID_A, 901, "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1)));
        s.onIdentity(docker);
        s.offer(event(101, NS, 30));
        s.onIdentity(runcInit(31, "other"));
        s.offer(event(102, NS, 31));
        s.offer(event(7, HOST_NS, 1));
        // The host's and the other container's events go by while the Docker one waits (up to 2 s).
        pollUntil(s, () -> delivered.size() == 2);
        // Both went by; their order is not promised (the other container's identity is resolved on its own).
        assertThat(delivered).extracting(e -> e.process().container().id()).containsExactlyInAnyOrder("host", "other");
        pollUntil(s, () -> delivered.size() == 3);
        ContainerInfo c = delivered.stream().filter(e -> e.process().mntnsId() == 30).findFirst().orElseThrow()
                .process().container();
        assertThat(c.id()).isEqualTo(ID_A);
        assertThat(c.runtime()).isEqualTo("docker");
        assertThat(connections.get()).isEqualTo(1);
        // A second container: the daemon that just timed out is not asked again yet.
        String idB = "b".repeat(64);
        // (pid 203: event() makes forks, and 103 is the other container's child, which a namespace it made would be)
        s.onIdentity(new NamespaceIdentity(NS, 32, 203, "runc:[2:INIT]", "/docker/" + idB, 902, "/docker/" + idB, 903,
                "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1))));
        s.offer(event(203, NS, 32));
        pollUntil(s, () -> delivered.size() == 4);
        assertThat(delivered.get(3).process().container().id()).isEqualTo(idB);
        assertThat(connections.get()).isEqualTo(1);
        // A stream counts as hung after 1 s of silence and a ping unanswered for 1 s: it is made again no
        // more often than that (plus backoff), never in a tight loop.
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(streams.get()).as("event streams asked for in %d s", seconds).isBetween(1, 1 + (int) (seconds / 2));
        for (SocketChannel ch : open) {
            ch.close();
        }
    }

    /**
     * A loaded host: the resolvers are busy (here: two Docker containers whose daemon hangs hold both
     * threads) when a short runc container comes. The Docker ones, whose looks began, are released
     * after the hold named by what the kernel described (their cgroup layout's id), not unresolved;
     * the runc one, whose look has not begun, waits on, at most {@link ContainerAttribution#MAX_HOLD_NANOS},
     * and leaves named by the cgroup runc placed it in. Each namespace released unanswered is counted.
     */
    @Test
    void aNamespaceReleasedBeforeAnyLookAnsweredIsNamedByItsCgroup() throws Exception {
        ContainerAttribution s = stageWithBusyResolvers();
        s.onIdentity(runcInit(52, "web-1"));       // runc and its state already gone, as after a short run
        s.offer(event(102, NS, 52));
        s.releaseReady();
        assertThat(delivered).isEmpty();
        clock.addAndGet(ContainerAttribution.HOLD_NANOS);
        s.releaseReady();
        assertThat(delivered).extracting(e -> e.process().mntnsId() + "=" + e.process().container().id() + "/"
                        + e.process().container().runtime())
                .containsExactlyInAnyOrder("50=" + ID_A + "/docker", "51=" + "b".repeat(64) + "/docker");
        clock.addAndGet(ContainerAttribution.MAX_HOLD_NANOS - ContainerAttribution.HOLD_NANOS - 1);
        s.releaseReady();
        assertThat(delivered).as("no look at it began yet").hasSize(2);
        clock.addAndGet(1);
        s.releaseReady();
        assertThat(delivered).hasSize(3).last().satisfies(e -> assertThat(e.process().container().id() + "/"
                + e.process().container().runtime()).isEqualTo("web-1/runc"));
        assertThat(s.unresolvedEvents()).isZero();
        assertThat(s.releasedUnanswered()).isEqualTo(3);
    }

    /**
     * web-1's process moves itself into db-2's cgroup (the kernel describes the namespace again)
     * before any look answered; released unanswered, the namespace is named by its first description
     * (web-1), never by where its process moved (db-2). Before: db-2.
     */
    @Test
    void aNamespaceReleasedUnansweredIsNamedByItsFirstDescriptionNotWhereItsProcessMoved() throws Exception {
        ContainerAttribution s = stageWithBusyResolvers();
        String web1 = "1".repeat(64);
        String db2 = "2".repeat(64);
        s.onIdentity(new NamespaceIdentity(NS, 54, 101, "runc:[2:INIT]", "/docker/" + web1, 940, "/docker/" + web1, 941,
                "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1))));
        s.offer(event(102, NS, 54));
        s.onIdentity(new NamespaceIdentity(NS, 54, 102, "sh", "/docker/" + db2, 950, "/docker/" + db2, 951, "pids",
                List.of(new NamespaceIdentity.Ancestor(101, "sh", 940))));
        s.offer(event(103, NS, 54));
        clock.addAndGet(ContainerAttribution.MAX_HOLD_NANOS);
        s.releaseReady();
        assertThat(delivered).filteredOn(e -> e.process().mntnsId() == 54)
                .extracting(e -> e.process().container().id()).containsExactly(web1, web1);
    }

    /**
     * crun describes the namespace before it moves the process into the container's cgroup; on a
     * loaded host the hold ends before any look answered, with nothing named (crun's own cgroup names
     * no container). crun then places the process and the kernel describes it again: the events from
     * then on (the workload's) are named by that cgroup at once, not after a look that may come late.
     */
    @Test
    void aNamespaceDescribedAgainAfterItsReleaseIsNamedByTheNewCgroupAtOnce() throws Exception {
        ContainerAttribution s = stageWithBusyResolvers();
        s.onIdentity(new NamespaceIdentity(NS, 53, 101, "crun", "/", 1, "/user.slice", 5, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "crun", 5))));
        s.offer(event(101, NS, 53));
        clock.addAndGet(ContainerAttribution.MAX_HOLD_NANOS);
        s.releaseReady();
        assertThat(delivered).filteredOn(e -> e.process().mntnsId() == 53).singleElement()
                .satisfies(e -> assertThat(e.process().container()).isEqualTo(ContainerInfo.UNRESOLVED));
        s.onIdentity(new NamespaceIdentity(NS, 53, 101, "crun", "/", 1, "/user.slice/db-2", 6, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "crun", 5))));
        s.offer(event(102, NS, 53));
        assertThat(delivered).filteredOn(e -> e.process().pid() == 102).singleElement()
                .satisfies(e -> assertThat(e.process().container().id() + "/" + e.process().container().runtime())
                        .isEqualTo("db-2/crun"));
    }

    /**
     * A stage whose two resolver threads are both busy for a minute: two Docker containers (namespace
     * ids 50 and 51, ids A and B) whose daemon accepted their lookups and never answers. A namespace
     * offered now waits behind them, as behind others' containers on a loaded host.
     */
    private ContainerAttribution stageWithBusyResolvers() throws Exception {
        Path socket = sockets.resolve("docker.sock");
        AtomicInteger lookups = new AtomicInteger();
        List<SocketChannel> open = hungDaemon(socket, line -> {
            if (line.startsWith("GET /containers")) {
                lookups.incrementAndGet();
            }
        });
        closing.add(() -> {
            for (SocketChannel ch : open) {
                ch.close();
            }
        });
        ContainerAttribution s = stage(List.of(socket), 64, Duration.ofSeconds(60));
        for (var docker : List.of(java.util.Map.entry(50L, ID_A), java.util.Map.entry(51L, "b".repeat(64)))) {
            s.onIdentity(new NamespaceIdentity(NS, docker.getKey(), 101, "runc:[2:INIT]", "/docker/" + docker.getValue(), 900,
                    "/docker/" + docker.getValue(), 901, "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1))));
            s.offer(event(101, NS, docker.getKey()));
        }
        pollUntil(s, () -> lookups.get() == 2);   // both resolver threads wait for the daemon
        return s;
    }

    /**
     * A Docker daemon at socket that accepts and never answers: each request's first line to onRequest;
     * the connections it holds open, which the test closes.
     */
    private List<SocketChannel> hungDaemon(Path socket, java.util.function.Consumer<String> onRequest) throws IOException {
        List<SocketChannel> open = new CopyOnWriteArrayList<>();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        closing.add(server);
        Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    open.add(ch); // and never answer
                    onRequest.accept(requestLine(ch));
                }
            } catch (IOException closed) {
                // test over
            }
        });
        closing.add(acceptor::interrupt);
        return open;
    }

    /** The first line a client sent (each one writes its request right after connecting). */
    private static String requestLine(SocketChannel ch) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        while (line.indexOf("\r\n") < 0 && ch.read(buf) > 0) {
            buf.flip();
            line.append(java.nio.charset.StandardCharsets.US_ASCII.decode(buf));
            buf.clear();
        }
        return line.toString();
    }

    @Test
    void heldEventsAreBoundedAndTheOverflowIsCounted() throws Exception {
        // The runtime still runs (so the namespaces wait) while more events arrive than may be held.
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "--version");
        ContainerAttribution s = stage();
        int perNamespace = MAX_HELD / 4;
        for (int n = 0; n < 4; n++) {
            s.onIdentity(new NamespaceIdentity(NS, 40 + n, 101, "runc:[2:INIT]", "/jobs/batch" + n, 900,
                    "/jobs/batch" + n, 901, "pids", List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 901))));
            for (int i = 0; i < perNamespace; i++) {
                s.offer(event(101, NS, 40 + n));
            }
        }
        assertThat(delivered).isEmpty();
        // Past the bound in all, the oldest namespace goes, with what is known, counted.
        s.onIdentity(new NamespaceIdentity(NS, 44, 101, "runc:[2:INIT]", "/jobs/late", 900, "/jobs/late", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 901))));
        s.offer(event(101, NS, 44));
        assertThat(s.overflowEvents()).isEqualTo(perNamespace);
        assertThat(delivered).hasSize(perNamespace).allMatch(e -> e.process().mntnsId() == 40);
    }

    @Test
    void aBusyNamespaceIsReleasedOnItsOwnAndTheOthersKeepWaiting() throws Exception {
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "--version");
        ContainerAttribution s = stage();
        s.onIdentity(new NamespaceIdentity(NS, 45, 101, "runc:[2:INIT]", "/jobs/quiet", 900, "/jobs/quiet", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 901))));
        s.offer(event(101, NS, 45));
        s.onIdentity(new NamespaceIdentity(NS, 46, 101, "runc:[2:INIT]", "/jobs/busy", 900, "/jobs/busy", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 901))));
        int perNamespace = MAX_HELD / 4;
        for (int i = 0; i <= perNamespace; i++) {
            s.offer(event(101, NS, 46));
        }
        // The busy one went past its share: released, counted; the quiet one (older) still waits.
        assertThat(s.overflowEvents()).isEqualTo(perNamespace + 1);
        assertThat(delivered).hasSize(perNamespace + 1).allMatch(e -> e.process().mntnsId() == 46);
    }

    @Test
    void aNamespaceWaitsAtMostTheHoldTime() throws Exception {
        process(RUNC_PID, HOST_NS, "runc", 40, "runc", "--version"); // alive: it could still write state
        ContainerAttribution s = stage();
        s.onIdentity(new NamespaceIdentity(NS, 41, 101, "runc:[2:INIT]", "/jobs/batch", 900, "/jobs/batch", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 901))));
        s.offer(event(101, NS, 41));
        pollUntil(s, () -> s.resolutions() > 0 && s.inFlight() == 0);
        assertThat(delivered).isEmpty();
        clock.addAndGet(ContainerAttribution.HOLD_NANOS);
        s.releaseReady();
        assertThat(delivered).singleElement()
                .satisfies(e -> assertThat(e.process().container()).isEqualTo(ContainerInfo.UNRESOLVED));
    }

    @Test
    void forgottenNamespacesAreForgottenInTheKernelToo() throws Exception {
        ContainerAttribution s = stage(List.of(), 4);
        for (int i = 0; i < 10; i++) {
            s.onIdentity(runcInit(100 + i, "c" + i));
            s.offer(event(101, NS, 100 + i));
            int n = i + 1;
            pollUntil(s, () -> delivered.size() == n);
            clock.addAndGet(1_000);
        }
        assertThat(s.seen()).hasSizeLessThanOrEqualTo(4);
        assertThat(s.evictions()).isPositive();
        assertThat(forgotten).hasSize((int) s.evictions()).contains(100L);
        assertThat(s.seen()).extracting(ContainerAttribution.Seen::mntnsId).contains(109L);
    }

    @Test
    void aContainerProcessInTheHostsMountNamespaceIsStillItsContainerByItsCgroup() throws Exception {
        ContainerAttribution s = stage();
        // Before the container was seen, its cgroup names nothing: the host.
        s.offer(event(100, HOST_NS, 1, 4242));
        // runc placed it in /web-1, v2 id 4242 (the id its events carry)
        s.onIdentity(new NamespaceIdentity(NS, 7, 101, "runc:[2:INIT]", "/web-1", 4242, "/web-1", 901, "pids",
                List.of(new NamespaceIdentity.Ancestor(RUNC_PID, "runc", 1))));
        s.offer(event(101, NS, 7, 4242));
        pollUntil(s, () -> delivered.size() == 2);
        // `nsenter -t 1 -m` from inside it: the host's mount namespace, the container's cgroup.
        s.offer(event(102, HOST_NS, 1, 4242));
        // A host process of the v2 root (id 1) or of another cgroup stays the host (pids no container
        // process forked: event() makes forks, and 102's child would be the container's by its pid).
        s.offer(event(203, HOST_NS, 1, 1));
        s.offer(event(205, HOST_NS, 1, 5000));
        assertThat(delivered).extracting(e -> e.process().pid() + "=" + e.process().container().id())
                .containsExactly("100=host", "101=web-1", "102=web-1", "203=host", "205=host");
        assertThat(s.current(event(105, HOST_NS, 1, 4242).process()).id()).isEqualTo("web-1");
    }

    /**
     * A container process whose exit the ring lost (and the host's fork that reused its pid): a host
     * process that gets the pid again, in the host's pid namespace, is the host's, not the container
     * "entering" the host's mount namespace. Before: web-1's, by the stale pid.
     */
    @Test
    void aHostProcessThatReusesTheStalePidOfAContainerProcessIsTheHost() throws Exception {
        long containerPidns = 4026532300L;
        ContainerAttribution s = stage();
        s.onIdentity(runcInit(7, "web-1"));
        s.offer(new ForkEvent(0, task(101, NS, 7, containerPidns, 900), 102));
        pollUntil(s, () -> delivered.size() == 1);
        // 102 entered the host's mount namespace (nsenter -t 1 -m) after moving to the v2 root: web-1's by its pid
        s.offer(exec(task(102, HOST_NS, 1, containerPidns, 1)));
        assertThat(delivered.getLast().process().container().id()).isEqualTo("web-1");
        // its exit and the host's fork that got 102 again were lost: the host process execs
        s.offer(exec(task(102, HOST_NS, 1, HOST_PIDNS, 5000)));
        assertThat(delivered.getLast().process().container()).isEqualTo(ContainerInfo.HOST);
    }

    private static Event exec(ProcessInfo p) {
        return new io.eunomia.event.ExecEvent(0, p, p.pid(), "/bin/sh", List.of("sh"), 1, false, "",
                io.eunomia.event.StreamKind.NONE, io.eunomia.event.StreamKind.NONE, io.eunomia.event.StreamKind.NONE, 0);
    }

    private static ProcessInfo task(int pid, long mntns, long mntnsId, long pidns, long cgroupId) {
        return new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, "sh", "sh", mntns, mntnsId, pidns, cgroupId,
                ContainerInfo.UNRESOLVED);
    }

    @Test
    void theRootCgroupSharedByAContainerNamesNoContainer() throws Exception {
        // A hybrid host where the runtime left the container in the v2 root: id 1 is everyone's.
        ContainerAttribution s = stage();
        s.onIdentity(runcInit(7, "web-1"));
        s.offer(event(101, NS, 7, 1));
        pollUntil(s, () -> delivered.size() == 1);
        s.offer(event(202, HOST_NS, 1, 1));   // a host process (102 would be the container's child, event() forks)
        assertThat(delivered.get(1).process().container()).isEqualTo(ContainerInfo.HOST);
    }
}
