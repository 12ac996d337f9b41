package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.ProcessRecords.Root;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a container's root on the host from what the kernel said of it (device, inode, path on its file system). */
class ContainerRootOnHostTest {
    @TempDir
    Path tmp;

    @Test
    void aMountOfItsDeviceWhoseRootIsAboveItReachesIt() throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("bundle with space"));
        Path rootfs = Files.createDirectories(parent.resolve("rootfs"));
        Root root = rootOf(rootfs, "/srv/bundles/rootfs");
        // The host mounts /srv/bundles of that device at parent (its name escaped as mountinfo does).
        Path mountinfo = mountinfo(root, "/srv/bundles", parent.toString().replace(" ", "\\040"));
        assertThat(ContainerRootOnHost.find(root, mountinfo)).contains(rootfs);
    }

    @Test
    void aPathOutsideTheMountsRootOrAnotherDirectoryIsNotIt() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Root root = rootOf(rootfs, "/srv/bundles/rootfs");
        // Not below the mount's root (a sibling named like it), another device, another inode.
        assertThat(ContainerRootOnHost.find(root, mountinfo(root, "/srv/bundle", tmp.toString()))).isEmpty();
        Root otherDevice = new Root(root.major(), root.minor() + 1, root.ino(), root.fsPath());
        assertThat(ContainerRootOnHost.find(otherDevice, mountinfo(root, "/srv/bundles", tmp.toString()))).isEmpty();
        Root otherInode = new Root(root.major(), root.minor(), root.ino() + 1, root.fsPath());
        assertThat(ContainerRootOnHost.find(otherInode, mountinfo(root, "/srv/bundles", tmp.toString()))).isEmpty();
        assertThat(ContainerRootOnHost.find(root, tmp.resolve("no-mountinfo"))).isEmpty();
    }

    @Test
    void mountinfoEscapesAreUndone() {
        assertThat(io.eunomia.bpf.paths.MountTable.unescape("/a\\040b\\011c\\134d")).isEqualTo("/a b\tc\\d");
        assertThat(io.eunomia.bpf.paths.MountTable.unescape("/plain\\04")).isEqualTo("/plain\\04");
    }

    /** dir's device and inode, with the path the kernel would give on its file system. */
    private static Root rootOf(Path dir, String fsPath) throws Exception {
        long dev = ((Number) Files.getAttribute(dir, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        int major = (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
        int minor = (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
        return new Root(major, minor, ino, fsPath);
    }

    private Path mountinfo(Root root, String mountRoot, String mountPoint) throws Exception {
        Path f = Files.createTempFile(tmp, "mountinfo", "");
        // The line's mount id is the real one of the mount tmp is on: the directory found must be on that mount.
        long id = io.eunomia.libbpf.PathDescriptors.mountinfoMountOf(tmp.toString()).mountId();
        Files.writeString(f, "22 1 0:99 / /elsewhere rw - tmpfs tmpfs rw\n"
                + id + " 22 " + root.major() + ":" + root.minor() + " " + mountRoot + " " + mountPoint
                + " rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
        return f;
    }
}
