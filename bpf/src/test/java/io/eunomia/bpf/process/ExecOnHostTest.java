package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecCredentials;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamKind;
import io.eunomia.event.SyscallEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * proc.exec_on_host as the process table keeps it, on the sequence strace shows for runc run here:
 * runc init exec'd on the host (its memfd re-exec too), cloned into the container's new namespaces
 * where it mounts, then the workload exec'd there. The facts follow the exec, not the name: the
 * workload renaming itself runc:[2:INIT] keeps false, an exec event carries its caller's, a
 * container's process that entered the host's pid namespace but exec'd in its container's mount
 * namespace is not on the host. Whether a mount namespace is a container's own is read from its root
 * (an overlay the runtime's init pivoted to), not from the event's container: run on a /proc of our
 * own that holds only the mount tables a test writes.
 */
class ExecOnHostTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long HOST_PIDNS = 4026531836L;
    private static final long CONTAINER_MNTNS = 4026532400L;
    private static final long CONTAINER_PIDNS = 4026532500L;
    private static final ContainerInfo WEB = new ContainerInfo("c1", "web", "nginx", "runc", "", "");
    private static final ExecCredentials CREDS = new ExecCredentials(0, 0, 0, 1, false);

    @TempDir
    Path proc;

    private final List<Event> delivered = new ArrayList<>();

    /** pid's mount namespace has a container's root: an overlay (what a runtime's init pivots to). */
    private void containerRoot(int pid) throws Exception {
        Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(proc.resolve(pid + "/mountinfo"),
                "90 80 0:77 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n");
    }

    /** pid's mount namespace has the host's root: a private namespace a host process made (unshare -m, PrivateTmp). */
    private void hostRoot(int pid) throws Exception {
        Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(proc.resolve(pid + "/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
    }
    private long t = T0;

    private static ProcessInfo onHost(int pid, String comm, ContainerInfo c) {
        return new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, comm, Namespaces.hostMountNamespace(), 2, HOST_PIDNS, 1, c);
    }

    private static ProcessInfo inContainer(int pid, String comm, long pidns) {
        return new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, comm, CONTAINER_MNTNS, 3, pidns, 7, WEB);
    }

    private ExecEvent exec(ProcessInfo p, String exe) {
        return new ExecEvent(t++, p, p.pid(), exe, List.of(exe), 1, false, "", StreamKind.NONE, StreamKind.NONE, StreamKind.NONE, 0, "",
                false, CREDS, "/");
    }

    private SyscallEvent mount(ProcessInfo p) {
        return new SyscallEvent(t++, p, "mount", 165, Map.of("flags", 0L), Map.of("fstype", "proc"), 0);
    }

    private boolean deliver(ProcessEnrichment enrichment, Event e) {
        enrichment.accept(e);
        return delivered.getLast().process().facts().execOnHost();
    }

    @Test
    void theRuntimesInitIsOnTheHostAndItsWorkloadIsNotWhateverItIsCalled() {
        ProcessEnrichment enrichment = new ProcessEnrichment(new ProcReader(proc), 64, delivered::add);
        assertThat(Namespaces.hostMountNamespace()).as("the host's mount namespace, read").isPositive();
        // runc run forks runc init (its exec not seen: the table reads nothing from our empty /proc)
        assertThat(deliver(enrichment, exec(onHost(10, "runc", ContainerInfo.HOST), "/usr/sbin/runc")))
                .as("an exec event: its caller's, unseen").isFalse();
        assertThat(deliver(enrichment, new ForkEvent(t++, onHost(10, "runc", ContainerInfo.HOST), 11))).isTrue();
        assertThat(deliver(enrichment, exec(onHost(11, "runc", ContainerInfo.HOST), "/usr/sbin/runc"))).isTrue();
        // the memfd re-exec after the parent moved it into the container's cgroup: the host's namespace still
        assertThat(deliver(enrichment, exec(onHost(11, "4", WEB), "/memfd:runc_cloned:/proc/self/exe"))).isTrue();
        // runc:[1:CHILD] clones runc:[2:INIT] into the new namespaces: it mounts there, not exec'd since
        assertThat(deliver(enrichment, new ForkEvent(t++, onHost(11, "runc:[0:PARENT]", WEB), 12))).isTrue();
        assertThat(deliver(enrichment, mount(inContainer(12, "runc:[2:INIT]", CONTAINER_PIDNS)))).isTrue();
        // the workload exec'd in the container: the exec event is runc's act, the workload's next events its own
        assertThat(deliver(enrichment, exec(inContainer(12, "sh", CONTAINER_PIDNS), "/bin/sh"))).isTrue();
        assertThat(deliver(enrichment, mount(inContainer(12, "runc:[2:INIT]", CONTAINER_PIDNS))))
                .as("renamed after its exec in the container (and a burst of the same process: facts not reused from the exec)")
                .isFalse();
        assertThat(deliver(enrichment, new ForkEvent(t++, inContainer(12, "sh", CONTAINER_PIDNS), 13))).isFalse();
        assertThat(deliver(enrichment, mount(inContainer(13, "crun", CONTAINER_PIDNS)))).isFalse();
        assertThat(deliver(enrichment, exec(inContainer(13, "runc", CONTAINER_PIDNS), "/tmp/runc"))).isFalse();
        assertThat(deliver(enrichment, mount(inContainer(13, "runc", CONTAINER_PIDNS)))).isFalse();
    }

    @Test
    void anExecInTheHostsPidNamespaceButAContainersMountNamespaceIsTheContainers() throws Exception {
        containerRoot(20);
        ProcessEnrichment enrichment = new ProcessEnrichment(new ProcReader(proc), 64, delivered::add);
        // --pid=host: the container's processes live in the host's pid namespace, exec'd in the container's mounts
        enrichment.accept(exec(inContainer(20, "sh", HOST_PIDNS), "/bin/sh"));
        assertThat(deliver(enrichment, mount(inContainer(20, "runc:[2:INIT]", HOST_PIDNS)))).isFalse();
        // a host process's private mount namespace (unresolved, host pid namespace: crun under unshare -m here)
        ProcessInfo privateNs = new ProcessInfo(21, 21, 1, 0, 0, 0, 0, "crun", 4026532999L, 9, HOST_PIDNS, 1, ContainerInfo.UNRESOLVED);
        enrichment.accept(exec(privateNs, "/usr/bin/crun"));
        assertThat(deliver(enrichment, new ForkEvent(t++, privateNs, 22))).isTrue();
        assertThat(deliver(enrichment, mount(inContainer(22, "crun", CONTAINER_PIDNS)))).isTrue();
        // an unresolved namespace in a container's pid namespace: not the host
        ProcessInfo unresolved = new ProcessInfo(23, 23, 1, 0, 0, 0, 0, "unshare", 4026532998L, 8, CONTAINER_PIDNS, 7,
                ContainerInfo.UNRESOLVED);
        enrichment.accept(exec(unresolved, "/usr/bin/unshare"));
        assertThat(deliver(enrichment, mount(unresolved))).isFalse();
    }

    @Test
    void unresolvedAtExecResolvedLater() throws Exception {
        // --pid=host: the container's first exec released unresolved (a hold that timed out under load, an overflow)
        containerRoot(30);
        ProcessEnrichment enrichment = new ProcessEnrichment(new ProcReader(proc), 64, delivered::add);
        ProcessInfo unresolved = new ProcessInfo(30, 30, 1, 0, 0, 0, 0, "sh", CONTAINER_MNTNS, 3, HOST_PIDNS, 7, ContainerInfo.UNRESOLVED);
        enrichment.accept(exec(unresolved, "/bin/sh"));
        assertThat(deliver(enrichment, mount(unresolved)))
                .as("exec'd in a mount namespace whose root is the container's: not the host, attributed or not").isFalse();
        assertThat(deliver(enrichment, new ForkEvent(t++, inContainer(30, "sh", HOST_PIDNS), 31))).isFalse();
        assertThat(deliver(enrichment, mount(inContainer(31, "runc:[2:INIT]", HOST_PIDNS))))
                .as("its tree, once resolved: nothing was decided from the attribution at the exec").isFalse();
    }

    @Test
    void runcInAPrivateMountNamespaceWithAContainerCgroup() throws Exception {
        // rootless docker, a unit with PrivateTmp: runc's memfd re-exec comes after its move into the container's
        // cgroup, so the attribution names the container; its namespace's root is still the host's
        hostRoot(40);
        containerRoot(41);
        ProcessEnrichment enrichment = new ProcessEnrichment(new ProcReader(proc), 64, delivered::add);
        long privateMntns = 4026532990L;
        ProcessInfo runc = new ProcessInfo(40, 40, 1, 0, 0, 0, 0, "runc", privateMntns, 11, HOST_PIDNS, 7, WEB);
        enrichment.accept(exec(runc, "/memfd:runc_cloned:/proc/self/exe"));
        assertThat(deliver(enrichment, new ForkEvent(t++, runc, 41))).as("exec'd outside every container's own namespace").isTrue();
        // runc:[2:INIT] in the container's new namespaces mounts proc there (the setup the rules excuse)
        assertThat(deliver(enrichment, mount(inContainer(41, "runc:[2:INIT]", CONTAINER_PIDNS)))).isTrue();
        assertThat(deliver(enrichment, exec(inContainer(41, "sh", CONTAINER_PIDNS), "/bin/sh"))).isTrue();
        assertThat(deliver(enrichment, mount(inContainer(41, "runc:[2:INIT]", CONTAINER_PIDNS)))).isFalse();
    }

    @Test
    void aHostWhoseRootIsAnOverlayIsNoContainerInAPrivateNamespace() throws Exception {
        // a live system, or a host that is itself a container: pid 1's root is an overlay too
        String overlayHost = "20 1 0:50 / / rw - overlay overlay rw,lowerdir=/h,upperdir=/hu,workdir=/hw\n";
        Files.createDirectories(proc.resolve("1"));
        Files.writeString(proc.resolve("1/mountinfo"), overlayHost);
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/mountinfo"), overlayHost);
        containerRoot(43);
        ProcessEnrichment enrichment = new ProcessEnrichment(new ProcReader(proc), 64, delivered::add);
        ProcessInfo crun = new ProcessInfo(42, 42, 1, 0, 0, 0, 0, "crun", 4026532991L, 12, HOST_PIDNS, 7, WEB);
        enrichment.accept(exec(crun, "/memfd:crun"));
        assertThat(deliver(enrichment, mount(crun))).as("the host's root in a private namespace").isTrue();
        ProcessInfo pidHost = new ProcessInfo(43, 43, 1, 0, 0, 0, 0, "sh", CONTAINER_MNTNS, 3, HOST_PIDNS, 7, WEB);
        enrichment.accept(exec(pidHost, "/bin/sh"));
        assertThat(deliver(enrichment, mount(pidHost))).as("a container's overlay, another device").isFalse();
    }
}
