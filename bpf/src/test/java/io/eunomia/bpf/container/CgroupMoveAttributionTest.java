package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.ProcessInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process allowed to write cgroup.procs moves itself into another container's cgroup (or a host
 * service's): the attribution stage over identities as the kernel reports them after such a move, runc
 * state written by the test. Each case named the other container (or the host, or made the host's
 * processes a container's) on the code before: see each test.
 */
class CgroupMoveAttributionTest {
    private static final long HOST_NS = 4026531841L;
    private static final long HOST_PIDNS = 4026531836L;
    private static final long NS = 4026532177L;
    private static final long NS_MADE = 4026532190L;
    private static final long CGROUP_A = 900;
    private static final long CGROUP_B = 950;
    private static final long HOST_SERVICE_CGROUP = 555;

    @TempDir
    Path proc;
    @TempDir
    Path state;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Event> delivered = new ArrayList<>();
    private ContainerAttribution stage;

    @AfterEach
    void close() {
        if (stage != null) {
            stage.close();
        }
    }

    private ContainerAttribution stage() {
        ContainerResolver resolver = new ContainerResolver(
                new ContainerSources(List.of(new ContainerSources.StateRoot(state, "runc")), List.of()),
                new ProcFs(proc), HOST_PIDNS, "pids", Duration.ofSeconds(2));
        stage = new ContainerAttribution(resolver, HOST_NS, delivered::add, k -> {}, 64, 100, clock::get);
        return stage;
    }

    /** runc's init of container {@code id}, placed in /ID (v1 and v2). */
    private static NamespaceIdentity runcInit(long mntns, long mntnsId, String id) {
        return identity(mntns, mntnsId, 101, "runc:[2:INIT]", "/" + id, CGROUP_A,
                List.of(new NamespaceIdentity.Ancestor(50, "runc", 1)));
    }

    private static NamespaceIdentity identity(long mntns, long mntnsId, int pid, String comm, String cgroup, long v2Id,
                                              List<NamespaceIdentity.Ancestor> ancestors) {
        return new NamespaceIdentity(mntns, mntnsId, pid, comm, cgroup, v2Id, cgroup, v2Id + 1, "pids", ancestors);
    }

    private static Event fork(int pid, long mntns, long mntnsId, long cgroupId, int child) {
        return new ForkEvent(0, info(pid, mntns, mntnsId, cgroupId), child);
    }

    private static Event exec(int pid, long mntns, long mntnsId, long cgroupId) {
        return new io.eunomia.event.ExecEvent(0, info(pid, mntns, mntnsId, cgroupId), pid, "/bin/cat", List.of("cat"), 1,
                false, "", io.eunomia.event.StreamKind.NONE, io.eunomia.event.StreamKind.NONE,
                io.eunomia.event.StreamKind.NONE, 0);
    }

    private static ProcessInfo info(int pid, long mntns, long mntnsId, long cgroupId) {
        return new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, "sh", "sh", mntns, mntnsId, 0, cgroupId, ContainerInfo.UNRESOLVED);
    }

    private void runcState(String id) throws IOException {
        Path dir = Files.createDirectories(state.resolve(id));
        Files.writeString(dir.resolve("state.json"), "{\"id\":\"" + id + "\",\"init_process_pid\":0}");
    }

    /** Container web-1 known, its 101 exec'd and forked 102: both remembered by pid. */
    private ContainerAttribution web1Forked102() throws Exception {
        runcState("web-1");
        ContainerAttribution s = stage();
        s.onIdentity(runcInit(NS, 7, "web-1"));
        s.offer(exec(101, NS, 7, CGROUP_A));
        ContainerAttributionTest.pollUntil(s, () -> delivered.size() == 1);
        s.offer(fork(101, NS, 7, CGROUP_A, 102));
        return s;
    }

    private ContainerInfo last() {
        return delivered.get(delivered.size() - 1).process().container();
    }

    /**
     * Container web-1 (runc's state gone: named from the cgroup runc placed it in) runs; its process
     * writes itself into db-2's cgroup: the kernel describes the namespace again, and a look at it now
     * finds db-2's records. web-1's events stay web-1's; the move is counted. Before: all of web-1's
     * later events were db-2's.
     */
    @Test
    void aRunningContainerMovedIntoAnotherContainersCgroupStaysItself() throws Exception {
        runcState("db-2");
        ContainerAttribution s = stage();
        s.onIdentity(runcInit(NS, 7, "web-1"));
        s.offer(exec(101, NS, 7, CGROUP_A));
        ContainerAttributionTest.pollUntil(s, () -> s.inFlight() == 0);
        clock.addAndGet(ContainerAttribution.HOLD_NANOS);
        ContainerAttributionTest.pollUntil(s, () -> delivered.size() == 1);
        assertThat(last().id()).isEqualTo("web-1");

        long looks = s.resolutions();
        s.onIdentity(identity(NS, 7, 101, "sh", "/db-2", CGROUP_B, List.of(new NamespaceIdentity.Ancestor(1, "init", 1))));
        ContainerAttributionTest.pollUntil(s, () -> s.resolutions() > looks && s.inFlight() == 0);
        s.offer(exec(101, NS, 7, CGROUP_B));
        assertThat(delivered).hasSize(2);
        assertThat(last().id()).isEqualTo("web-1");
        assertThat(s.moves()).isEqualTo(1);
    }

    /**
     * web-1's shell forks a process that moves itself into db-2's cgroup and then makes a mount
     * namespace of its own (unshare -m): that namespace is web-1's, as its process is, though its
     * cgroup and db-2's records say db-2. Before: its events were db-2's.
     */
    @Test
    void aNamespaceAContainersProcessMadeIsThatContainerWhereverItsCgroupWent() throws Exception {
        runcState("db-2");
        ContainerAttribution s = web1Forked102();
        assertThat(last().id()).isEqualTo("web-1");

        s.onIdentity(identity(NS_MADE, 8, 102, "unshare", "/db-2", CGROUP_B, List.of(new NamespaceIdentity.Ancestor(101, "sh", CGROUP_A))));
        s.offer(exec(102, NS_MADE, 8, CGROUP_B));
        ContainerAttributionTest.pollUntil(s, () -> delivered.size() == 3);
        assertThat(last().id()).isEqualTo("web-1");
        // and its own children are too (a namespace one of them makes in turn)
        s.offer(fork(102, NS_MADE, 8, CGROUP_B, 103));
        s.onIdentity(identity(NS_MADE + 1, 9, 103, "unshare", "/db-2", CGROUP_B, List.of(new NamespaceIdentity.Ancestor(102, "cat", CGROUP_B))));
        s.offer(exec(103, NS_MADE + 1, 9, CGROUP_B));
        ContainerAttributionTest.pollUntil(s, () -> delivered.size() == 5);
        assertThat(last().id()).isEqualTo("web-1");
        assertThat(s.releasedUnanswered()).as("adopted namespaces are named by their maker: no look was due").isZero();
    }

    /**
     * A process of web-1 that entered the host's mount namespace after it moved itself into the v2
     * root is still web-1's (by its pid); a host process in the host service's cgroup a process of
     * web-1 went to is the host's. Before: the first was the host's, the second web-1's.
     */
    @Test
    void theHostsNamespaceIsAContainersByThePidsOfItsProcessesNotByWhereTheyMoved() throws Exception {
        ContainerAttribution s = web1Forked102();
        // 101 moves itself into a host service's cgroup and goes on in its namespace
        s.onIdentity(identity(NS, 7, 101, "sh", "/system.slice/cron.service", HOST_SERVICE_CGROUP, List.of()));
        s.offer(exec(101, NS, 7, HOST_SERVICE_CGROUP));
        assertThat(last().id()).isEqualTo("web-1");

        s.offer(exec(300, HOST_NS, 1, HOST_SERVICE_CGROUP));   // cron's own job
        assertThat(last()).isEqualTo(ContainerInfo.HOST);
        s.offer(exec(102, HOST_NS, 1, 1));   // 102 entered the host's namespace from the v2 root
        assertThat(last().id()).isEqualTo("web-1");
        s.offer(fork(102, HOST_NS, 1, 1, 104));
        s.offer(exec(104, HOST_NS, 1, 1));   // its child too
        assertThat(last().id()).isEqualTo("web-1");
        // a host process that later gets pid 104 again (after 104's exit) is the host's
        s.offer(new io.eunomia.event.ExitEvent(0, info(104, HOST_NS, 1, 1), 0));
        s.offer(fork(300, HOST_NS, 1, HOST_SERVICE_CGROUP, 104));
        s.offer(exec(104, HOST_NS, 1, HOST_SERVICE_CGROUP));
        assertThat(last()).isEqualTo(ContainerInfo.HOST);
    }

    /**
     * A pid remembered before the process sensor reported a loss may be another process's now: web-1's
     * 102 (its pid namespace the host processes' here) exited, a host service's fork got 102 again, and
     * both events were lost. The host process 102 in the host's namespace is then the host's; a pid seen
     * forked after the loss is trusted again. Before: web-1's, by the stale pid.
     */
    @Test
    void aPidRememberedBeforeAReportedLossIsNotTrusted() throws Exception {
        ContainerAttribution s = web1Forked102();
        s.processEventsLost();
        assertThat(s.pidsForgottenAfterLoss()).as("101 seen exec'd, 102 seen forked").isEqualTo(2);
        s.offer(exec(102, HOST_NS, 1, HOST_SERVICE_CGROUP));
        assertThat(last()).isEqualTo(ContainerInfo.HOST);
        // after the loss: what is seen anew is known anew
        s.offer(fork(101, NS, 7, CGROUP_A, 103));
        s.offer(exec(103, HOST_NS, 1, 1));
        assertThat(last().id()).isEqualTo("web-1");
        assertThat(s.pidsForgotten()).as("none forgotten to stay bounded").isZero();
    }
}
