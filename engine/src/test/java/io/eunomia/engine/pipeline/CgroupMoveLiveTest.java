package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A privileged runc container (CAP_SYS_ADMIN, the host's cgroupfs bound writable) writes its own pid
 * into another container's cgroup.procs, or the host's root cgroups, in every hierarchy, then reads
 * /etc/shadow in its own mount namespace and from one it makes (unshare -m): each "Read sensitive
 * file" alert names the container the process really is in. On the code before, the read from the
 * namespace it made named the other container (its cgroup and that container's runc state said so),
 * and after a move to the root cgroups it named no container.
 */
@SharesLiveMonitor
class CgroupMoveLiveTest {
    // What an act causes ends the wait at once; minutes for a monitor lagging on a loaded machine.
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String READ = "Read sensitive file";
    private static final Path CGROUPFS = Path.of("/sys/fs/cgroup");

    private static LiveMonitor live;
    private static ShadowBox mover;
    private static RunningContainer other;

    @BeforeAll
    static void start() throws Exception {
        live = LiveMonitor.sharedDefaultPack(CgroupMoveLiveTest.class, WAIT);
        mover = ShadowBox.start("cgmove", CgroupMoveLiveTest::hostCgroupsWritable, ShadowBox.ADMIN_CAPS);
        other = mover.runc().start(OciRuntime.uniqueId("cgmove-other"), ContainerSpec.of("sh", "-c", "sleep 300"));
    }

    @AfterAll
    static void stop() {
        try {
            ShadowBox.close(mover);   // its runc: the other container too
        } finally {
            LiveMonitor.close(live);
        }
    }

    @BeforeEach
    void markTestStart() {
        live.markTestStart();
    }

    /** The host's cgroup hierarchies, bound writable at /host-cgroup (what a privileged container may be given). */
    private static void hostCgroupsWritable(ObjectNode config) {
        var m = ((com.fasterxml.jackson.databind.node.ArrayNode) config.get("mounts")).addObject();
        m.put("destination", "/host-cgroup").put("type", "bind").put("source", CGROUPFS.toString());
        m.putArray("options").add("rbind").add("rw");
    }

    @Test
    void aProcessMovedIntoAnotherContainersCgroupIsStillItsOwnContainer() throws Exception {
        actAfterMovingTo(cgroupProcs(other.pid()));
    }

    @Test
    void aProcessMovedIntoTheHostsRootCgroupsIsStillItsOwnContainer() throws Exception {
        List<String> roots = new ArrayList<>();
        for (String procs : cgroupProcs(other.pid())) {
            // /host-cgroup/HIERARCHY/the/other/path/cgroup.procs -> /host-cgroup/HIERARCHY/cgroup.procs
            String[] parts = procs.split("/");
            roots.add("/" + parts[1] + "/" + parts[2] + "/cgroup.procs");
        }
        actAfterMovingTo(roots);
    }

    /** Moves a shell of the mover into each cgroup.procs given, then it reads /etc/shadow, then a namespace it makes does. */
    private static void actAfterMovingTo(List<String> procsFiles) throws Exception {
        String moverPid = mover.onHost("/").getParent().getFileName().toString();   // /proc/PID/root
        long ownMntns = ns(moverPid, "mnt");
        long hostMntns = ns("self", "mnt");
        // Its pid namespace (unshare -m keeps it) tells its reads from other containers' on a shared machine.
        long ownPidns = ns(moverPid, "pid");
        String moves = String.join(" ", procsFiles);
        Ran r = mover.exec("sh", "-c", "for f in " + moves + "; do echo $$ > $f || exit 3; done; "
                + "cat /etc/shadow > /dev/null; exec unshare -m cat /etc/shadow");
        assertThat(r.exit()).as("moved and read: " + r.output()).isZero();

        Predicate<Alert> shadow = a -> a.output().contains("file=/etc/shadow") && a.output().contains("process=cat")
                && a.event().process().pidns() == ownPidns;
        Alert inOwn = live.await(READ, shadow.and(a -> a.event().process().mntns() == ownMntns));
        assertThat(inOwn.container().id()).as("the read in its own namespace").isEqualTo(mover.id());
        Alert inMade = live.await(READ, shadow.and(a -> a.event().process().mntns() != ownMntns
                && a.event().process().mntns() != hostMntns));
        assertThat(inMade.container().id()).as("the read from the namespace it made after the move: " + inMade.output())
                .isEqualTo(mover.id());
    }

    /**
     * The cgroup.procs files of a process's cgroups as the mover sees the host's cgroupfs:
     * /host-cgroup/HIERARCHY/PATH/cgroup.procs for each hierarchy it is placed in below the root.
     */
    private static List<String> cgroupProcs(long pid) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] f = line.split(":", 3);
            String hierarchy = f[1].isEmpty() ? "unified" : f[1].startsWith("name=") ? f[1].substring(5) : f[1];
            if (!f[2].equals("/") && Files.isDirectory(CGROUPFS.resolve(hierarchy))) {
                out.add("/host-cgroup/" + hierarchy + f[2] + "/cgroup.procs");
            }
        }
        assertThat(out).as("the other container's cgroups").anyMatch(p -> p.startsWith("/host-cgroup/pids/"));
        return out;
    }

    private static long ns(String pid, String kind) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns", kind)).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }
}
