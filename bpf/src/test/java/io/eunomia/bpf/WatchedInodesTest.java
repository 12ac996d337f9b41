package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchedInodesTest {
    @Test
    void theKernelsDeviceNumberIsMajorShiftedTwentyBitsOrMinor() {
        // glibc's makedev(254, 0) = 0xfe00 (/dev/vda); makedev(259, 300) = 0x1_0312c... per sys/sysmacros.h.
        assertThat(WatchedInodes.kernelDev(0xfe00L)).isEqualTo(254L << 20);
        long stDev = ((259L & 0xfff) << 8) | (300L & 0xff) | ((300L & ~0xffL) << 12);
        assertThat(WatchedInodes.kernelDev(stDev)).isEqualTo((259L << 20) | 300);
        assertThat(WatchedInodes.kernelDev(0x14L)).isEqualTo(20);  // 0:20, an anonymous device (overlay, tmpfs)
    }

    @Test
    void aPrefixNamesTheFileTheFilesOfADirectoryOrThoseStartingWithIt(@TempDir Path dir) throws Exception {
        Path ssh = Files.createDirectory(dir.resolve("ssh"));
        Files.writeString(ssh.resolve("id_rsa"), "k");
        Files.writeString(ssh.resolve("id_rsa.pub"), "p");
        Files.writeString(ssh.resolve("known_hosts"), "h");
        Path sudoers = Files.createDirectory(dir.resolve("sudoers.d"));
        Files.writeString(sudoers.resolve("admins"), "a");
        Files.createDirectory(sudoers.resolve("sub"));
        Files.writeString(dir.resolve("shadow"), "s");
        Files.createSymbolicLink(dir.resolve("shadow-link"), dir.resolve("shadow"));

        Map<String, WatchedInodes.File> files = WatchedInodes.files(List.of(
                dir + "/shadow", ssh + "/id_", sudoers + "/", dir + "/missing"));

        assertThat(files.keySet()).containsExactlyInAnyOrder(dir + "/shadow", ssh + "/id_rsa", ssh + "/id_rsa.pub",
                sudoers + "/admins");
        WatchedInodes.File shadow = files.get(dir + "/shadow");
        assertThat(shadow.ino()).isEqualTo(Files.getAttribute(dir.resolve("shadow"), "unix:ino"));
        // A rename into a prefix refreshes; elsewhere nothing.
        assertThat(WatchedInodes.renamedInto(dir + "/shadow", java.util.Optional.of(List.of(dir + "/shadow")))).isTrue();
        assertThat(WatchedInodes.renamedInto("/tmp/x", java.util.Optional.of(List.of(dir + "/shadow")))).isFalse();
    }
}
