package io.eunomia.bpf.paths;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MountTableTest {
    private static final String HOST = """
            21 26 0:20 / /proc rw,relatime - proc proc rw
            26 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            50 26 254:0 /etc /mnt/etc-bind rw,relatime shared:1 - ext4 /dev/vda rw
            51 50 0:40 / /mnt/etc-bind/cron.d rw - tmpfs tmpfs rw
            52 26 254:0 / /mnt/whole rw - ext4 /dev/vda rw
            53 26 0:41 / /mnt/nfs rw - nfs4 server:/x rw
            54 26 254:0 /home/a\\040b /mnt/sp\\040ace rw - ext4 /dev/vda rw
            """;

    @Test
    void aBindOfARootDirectoryIsThatDirectory() {
        MountTable t = MountTable.parse(HOST);
        assertThat(t.size()).isEqualTo(7);
        assertThat(t.throughRoot("/mnt/etc-bind")).isEqualTo("/etc");
        assertThat(t.throughRoot("/mnt/etc-bind/default")).isEqualTo("/etc/default");
        assertThat(t.throughRoot("/mnt/whole/etc")).isEqualTo("/etc");
        assertThat(t.throughRoot("/mnt/sp ace/x")).isEqualTo("/home/a b/x");
    }

    /** A container on an overlay with host /etc at /host/etc, the host's / at /host, its log bound from the host's disk. */
    private static final String CONTAINER = """
            60 59 0:50 / / rw - overlay overlay rw,upperdir=/var/lib/x/diff
            61 60 254:0 /etc /host/etc rw - ext4 /dev/vda rw
            62 60 254:0 / /host rw - ext4 /dev/vda rw
            63 60 0:51 / /host/etc/cron.d rw - tmpfs tmpfs rw
            64 60 254:0 /var/lib/docker/containers/c/hostname /etc/hostname rw - ext4 /dev/vda rw
            """;

    private static final MountTable.Mount HOST_ROOT = MountTable.parse(HOST).at("/");

    @Test
    void aContainersBindOfAHostDirectoryIsNamedOnTheHost() {
        MountTable t = MountTable.parse(CONTAINER);
        assertThat(t.onHost("/host/etc/shadow", HOST_ROOT)).isEqualTo("/etc/shadow");
        assertThat(t.onHost("/host/etc", HOST_ROOT)).isEqualTo("/etc");
        assertThat(t.onHost("/host/root/.bash_history", HOST_ROOT)).isEqualTo("/root/.bash_history");
        assertThat(t.onHost("/etc/hostname", HOST_ROOT)).isEqualTo("/var/lib/docker/containers/c/hostname");
        assertThat(t.onHost("/etc/shadow", HOST_ROOT)).as("the container's own, on its root").isEmpty();
        assertThat(t.onHost("/host/etc/cron.d/job", HOST_ROOT)).as("a tmpfs over the bind").isEmpty();
        assertThat(t.onHost("/host/etc/x", null)).as("no host root known").isEmpty();
        // A btrfs host whose root is a subvolume: a bind of /etc is /@/etc of the file system.
        MountTable.Mount subvolume = new MountTable.Mount(26, "0:30", "/@", "/", "btrfs", "/dev/vda");
        assertThat(MountTable.parse("70 69 0:30 /@/etc /host/etc rw - btrfs /dev/vda rw\n" + CONTAINER.lines().findFirst().get())
                .onHost("/host/etc/passwd", subvolume)).isEqualTo("/etc/passwd");
    }

    @Test
    void aRuncRootfsOnTheHostsDiskIsTheContainersOwn() {
        MountTable t = MountTable.parse("""
                80 79 254:0 /tmp/bundle/rootfs / rw - ext4 /dev/vda rw
                81 80 254:0 /etc /host/etc rw - ext4 /dev/vda rw
                """);
        assertThat(t.onHost("/etc/shadow", HOST_ROOT)).isEmpty();
        assertThat(t.onHost("/host/etc/shadow", HOST_ROOT)).isEqualTo("/etc/shadow");
        assertThat(MountTable.parse(HOST).onHost("/mnt/etc-bind/x", HOST_ROOT)).as("the host's own namespace").isEmpty();
        MountTable noBinds = MountTable.parse(CONTAINER.lines().findFirst().get() + "\n65 60 0:52 / /tmp rw - tmpfs tmpfs rw\n");
        assertThat(noBinds.onHost("/tmp/x", HOST_ROOT)).as("no mount of the host's disk: nothing scanned").isEmpty();
        assertThat(noBinds.onHost("/etc/x", HOST_ROOT)).isEmpty();
    }

    @Test
    void otherFileSystemsAndTheRootMountKeepTheirNames() {
        MountTable t = MountTable.parse(HOST);
        assertThat(t.throughRoot("/mnt/etc-bind/cron.d")).isEqualTo("/mnt/etc-bind/cron.d");  // tmpfs on the bind
        assertThat(t.throughRoot("/proc/1")).isEqualTo("/proc/1");
        assertThat(t.throughRoot("/etc")).isEqualTo("/etc");
        assertThat(t.throughRoot("/mnt/etc-bindx")).isEqualTo("/mnt/etc-bindx");  // a name that only starts alike
        assertThat(t.unsafeToWalk("/mnt/nfs/a")).isTrue();
        assertThat(t.unsafeToWalk("/proc/self")).isTrue();
        assertThat(t.unsafeToWalk("/mnt/etc-bind/x")).isFalse();
    }

    @Test
    void aContainerRootSeesOnlyWhatIsBelowItsRoot() {
        // A root that is a directory of its file system (a bind, a btrfs subvolume): binds outside it keep their names.
        MountTable t = MountTable.parse("""
                100 90 0:50 /rootfs / rw - ext4 /dev/vdb rw
                101 100 0:50 /rootfs/etc /tmp/cfg rw - ext4 /dev/vdb rw
                102 100 0:50 /volumes/data /data rw - ext4 /dev/vdb rw
                103 100 0:51 /etc /hostetc rw - ext4 /dev/vda rw
                """);
        assertThat(t.throughRoot("/tmp/cfg/cron.d")).isEqualTo("/etc/cron.d");
        assertThat(t.throughRoot("/data/x")).isEqualTo("/data/x");
        assertThat(t.throughRoot("/hostetc")).isEqualTo("/hostetc");
    }

    @Test
    void theRootOverlaysUpperDirectoryIsTheTopRootMounts() {
        assertThat(MountTable.parse(HOST).rootUpperDir()).isEmpty();
        String overlay = "90 80 0:77 / / rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/var/lib/x/diff,workdir=/var/lib/x/work\n";
        assertThat(MountTable.parse(overlay).rootUpperDir()).isEqualTo("/var/lib/x/diff");
        // an overlay below the top mount on "/" is hidden by it; an overlay elsewhere is not the root
        assertThat(MountTable.parse(overlay + "91 90 254:0 / / rw - ext4 /dev/vda rw\n").rootUpperDir()).isEmpty();
        assertThat(MountTable.parse("26 1 254:0 / / rw - ext4 /dev/vda rw\n" + overlay.replace(" / / ", " / /mnt ")).rootUpperDir())
                .isEmpty();
        assertThat(MountTable.parse("90 80 0:77 / / rw - overlay overlay rw,lowerdir=/l\n").rootUpperDir()).isEmpty();
    }

    @Test
    void linesItCannotReadAreLeftOut() {
        assertThat(MountTable.parse("garbage\n\nx y z 1 2 3 4 5\n").size()).isZero();
        assertThat(MountTable.parse("").throughRoot("/a/b")).isEqualTo("/a/b");
    }
}
