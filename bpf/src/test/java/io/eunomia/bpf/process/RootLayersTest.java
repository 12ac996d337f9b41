package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.paths.MountTables;
import io.eunomia.event.ExecCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exec's "from the container's writable layer" over a /proc of the test's making: pid 55 in
 * mount namespace 9, its root an overlay whose upper directory is a temporary directory.
 */
class RootLayersTest {
    private static final long NS = 9;
    private static final long NS_ID = 0x1234;
    private static final ExecCredentials CREDS = new ExecCredentials(0, 0, 0, 1, false);
    @TempDir
    Path proc;
    @TempDir
    Path upper;
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private MountTables mounts;
    private ProcessTable table;
    /** The root directory the kernel reported at the namespace's last exec (null: no report). */
    private final AtomicReference<ProcessRecords.Root> kernelRoot = new AtomicReference<>();
    private static final ProcessRecords.Root HOST_ROOT = new ProcessRecords.Root(254, 0, 2, "/");
    private static final ProcessRecords.Root PIVOTED = new ProcessRecords.Root(0, 77, 2, "/");

    @BeforeEach
    void task() throws Exception {
        Files.createDirectories(proc.resolve("55"));
        Files.createDirectories(upper.resolve("bin"));
        Files.writeString(upper.resolve("bin/dropped"), "#!/bin/sh\n");
        overlayRoot();
        mounts = new MountTables(now::get);
        table = new ProcessTable(new ProcReader(proc), 64, mounts, id -> id == NS_ID ? kernelRoot.get() : null);
    }

    private void overlayRoot() throws Exception {
        Files.writeString(proc.resolve("55/mountinfo"),
                "90 80 0:77 / / rw - overlay overlay rw,lowerdir=/l,upperdir=" + upper + ",workdir=/w\n");
    }

    private void plainRoot() throws Exception {
        Files.writeString(proc.resolve("55/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
    }

    private boolean fromUpperLayer(String exe) {
        return table.exec(55, 1, "x", exe, exe, now.get(), true, NS, NS_ID, CREDS, "", 0).exeUpperLayer();
    }

    @Test
    void aContainersExecsReadItsMountTableOnce() {
        assertThat(fromUpperLayer("/bin/dropped")).isTrue();
        assertThat(fromUpperLayer("/bin/sh")).isFalse();
        for (int i = 0; i < 100; i++) {
            fromUpperLayer("/bin/dropped");
        }
        assertThat(mounts.reads()).isEqualTo(1);
        assertThat(table.exec(55, 1, "x", "/bin/dropped", "", now.get(), false, NS, NS_ID, CREDS, "", 0).exeUpperLayer())
                .as("the host's processes have no container layer").isFalse();
    }

    @Test
    void aRootNotYetPivotedIsAskedAgainAtTheNextExecWithoutAMountSeen() throws Exception {
        plainRoot();  // a runtime's process execs in the new namespace before the root is pivoted
        assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        overlayRoot();  // its pivot_root, seen by no sensor (no rule reads syscall events)
        assertThat(fromUpperLayer("/bin/dropped")).as("the host's root stands for no later exec").isTrue();
        for (int i = 0; i < 100; i++) {
            fromUpperLayer("/bin/dropped");
        }
        assertThat(mounts.reads()).as("once the root is the overlay: read no more").isEqualTo(2);
    }

    @Test
    void aRootThatIsNoOverlayIsReadOnceWhileTheKernelReportsTheSameRootDirectory() throws Exception {
        plainRoot();  // e.g. `unshare -m` or a service's private mount namespace: the host's root, no pivot coming
        kernelRoot.set(HOST_ROOT);
        for (int i = 0; i < 100; i++) {
            assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        }
        assertThat(mounts.reads()).as("the kernel's record says the root is the one the table was read at").isEqualTo(1);
        overlayRoot();  // the pivot_root, seen by no sensor: the kernel reports another root directory
        kernelRoot.set(PIVOTED);
        assertThat(fromUpperLayer("/bin/dropped")).isTrue();
        assertThat(mounts.reads()).isEqualTo(2);
    }

    @Test
    void aRootTheKernelDidNotReportIsReadAgainAtEachExec() throws Exception {
        plainRoot();
        kernelRoot.set(HOST_ROOT);
        assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        kernelRoot.set(null);  // the exec's record was lost: nothing says the root stayed
        overlayRoot();
        assertThat(fromUpperLayer("/bin/dropped")).isTrue();
        assertThat(mounts.reads()).isEqualTo(2);
    }

    @Test
    void aTableKeptFromBeforeAPivotIsNotVouchedForByAFailedReadAtTheNewRoot() throws Exception {
        plainRoot();
        kernelRoot.set(HOST_ROOT);
        assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        kernelRoot.set(PIVOTED);  // pivoted; the process of this exec is gone before its record is read
        Files.delete(proc.resolve("55/mountinfo"));
        assertThat(fromUpperLayer("/bin/dropped")).as("the kept table, the best there is").isFalse();
        overlayRoot();  // the container's next process is still there when its exec is read
        assertThat(fromUpperLayer("/bin/dropped")).isTrue();
        assertThat(mounts.reads()).isEqualTo(3);
    }

    @Test
    void theRootsAtReadsAreBoundedAndTheirEvictionsCounted() throws Exception {
        plainRoot();
        RootLayers layers = new RootLayers(mounts, new ProcReader(proc), id -> HOST_ROOT);
        for (long id = 1; id <= RootLayers.MAX_NAMESPACES + 2; id++) {
            assertThat(layers.upperDir(55, NS, id)).isEmpty();
        }
        assertThat(layers.evicted()).isEqualTo(2);
        long reads = mounts.reads();
        layers.upperDir(55, NS, RootLayers.MAX_NAMESPACES + 2);
        assertThat(mounts.reads()).as("a namespace still remembered is served").isEqualTo(reads);
        layers.upperDir(55, NS, 1);
        assertThat(mounts.reads()).as("a forgotten one is read again").isEqualTo(reads + 1);
    }

    @Test
    void withoutTheNamespacesIdNoKeptTableIsServedItsNumberMayBeADeadOnes() throws Exception {
        assertThat(table.exec(55, 1, "x", "/bin/dropped", "", now.get(), true, NS, 0, CREDS, "", 0).exeUpperLayer()).isTrue();
        plainRoot();  // the number's next namespace, before its pivot_root
        assertThat(table.exec(55, 1, "x", "/bin/dropped", "", now.get(), true, NS, 0, CREDS, "", 0).exeUpperLayer()).isFalse();
        assertThat(mounts.reads()).isEqualTo(2);
    }

    /**
     * A btrfs host mounts a subvolume as its root: mountinfo's mount root is /@, not / (as a btrfs
     * mounted here with subvol=/@ lists it). A runtime's process execing under it before the pivot
     * leaves no settled table. Failed when every root not a whole file system counted as a
     * container's pivoted one: the host's table stood for the container's execs (no upper layer).
     */
    @Test
    void aBtrfsHostsSubvolumeRootNotYetPivotedIsAskedAgainAtTheNextExec() throws Exception {
        String hostRoot = " 0:49 /@ / rw,relatime - btrfs /dev/loop0 rw,discard=async,space_cache=v2,subvolid=256,subvol=/@\n";
        Files.createDirectories(proc.resolve("1"));
        Files.writeString(proc.resolve("1/mountinfo"), "26 1" + hostRoot);
        Files.writeString(proc.resolve("55/mountinfo"), "300 299" + hostRoot);  // its copy in the new namespace
        assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        overlayRoot();  // its pivot_root, seen by no sensor
        assertThat(fromUpperLayer("/bin/dropped")).as("the host's root stands for no later exec").isTrue();
    }

    @Test
    void aPivotedRootThatIsNoOverlayIsReadOnce() throws Exception {
        // A container whose root is a bind of a directory (crun/runc with a plain rootfs).
        Files.writeString(proc.resolve("55/mountinfo"), "90 80 254:0 /var/lib/c/rootfs / rw - ext4 /dev/vda rw\n");
        for (int i = 0; i < 100; i++) {
            assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        }
        assertThat(mounts.reads()).isEqualTo(1);
    }

    @Test
    void anOverlayRootMovedAwayIsNotServedFromTheCache() throws Exception {
        assertThat(fromUpperLayer("/bin/dropped")).isTrue();
        plainRoot();
        mounts.mountsChanged();
        assertThat(fromUpperLayer("/bin/dropped")).isFalse();
    }

    @Test
    void aMountNoSensorSawIsSeenWhenTheTableIsASecondOld() throws Exception {
        plainRoot();
        assertThat(fromUpperLayer("/bin/dropped")).isFalse();
        overlayRoot();
        now.addAndGet(MountTables.MAX_AGE_NANOS);
        assertThat(fromUpperLayer("/bin/dropped")).isTrue();
    }
}
