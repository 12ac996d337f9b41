package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the kernel programs read btrfs subvolumes' devices (their CO-RE relocations found btrfs's
 * types at load), and when btrfs may be mounted while they do not: then, and only then, a warning
 * and a 0 on the scrape.
 */
class BtrfsDevicesTest {
    @TempDir
    Path dir;

    @Test
    void theDecisionFollowsWhereBtrfsTypesAreWhenTheProgramsLoad() {
        assertThat(BtrfsDevices.decide(new BtrfsDevices.Kernel(true, false, true, false)).state())
                .as("built in").isEqualTo(BtrfsDevices.State.READ);
        assertThat(BtrfsDevices.decide(new BtrfsDevices.Kernel(false, true, true, true)).state())
                .as("a module loaded before the sensors").isEqualTo(BtrfsDevices.State.READ);
        BtrfsDevices later = BtrfsDevices.decide(new BtrfsDevices.Kernel(false, false, false, true));
        assertThat(later.state()).as("a module not loaded yet").isEqualTo(BtrfsDevices.State.UNREAD);
        assertThat(later.reason()).contains("modprobe btrfs");
        assertThat(BtrfsDevices.decide(new BtrfsDevices.Kernel(false, false, true, false)).state())
                .as("registered without BTF").isEqualTo(BtrfsDevices.State.UNREAD);
        assertThat(BtrfsDevices.decide(new BtrfsDevices.Kernel(false, false, false, false)).state())
                .as("no btrfs on this kernel").isEqualTo(BtrfsDevices.State.ABSENT);
    }

    @Test
    void readsTheKernelsListsOfFileSystemsAndModules() throws Exception {
        Path filesystems = Files.writeString(dir.resolve("filesystems"), "nodev\tsysfs\n\text4\n\tbtrfs\n");
        assertThat(BtrfsDevices.registered(filesystems)).isTrue();
        Files.writeString(filesystems, "nodev\tsysfs\n\text4\nnodev\tnotbtrfs\n");
        assertThat(BtrfsDevices.registered(filesystems)).isFalse();

        Path release = Files.writeString(dir.resolve("osrelease"), "6.1.0-test\n");
        Path modules = Files.createDirectories(dir.resolve("modules/6.1.0-test"));
        assertThat(BtrfsDevices.moduleInstalled(dir.resolve("modules"), release)).as("no modules.dep").isFalse();
        Files.writeString(modules.resolve("modules.dep"), "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko\n");
        assertThat(BtrfsDevices.moduleInstalled(dir.resolve("modules"), release)).isFalse();
        Files.writeString(modules.resolve("modules.dep"), "kernel/fs/btrfs/btrfs.ko.xz: kernel/lib/raid6/raid6_pq.ko.xz\n");
        assertThat(BtrfsDevices.moduleInstalled(dir.resolve("modules"), release)).isTrue();
    }

    /** The running kernel, against bpftool's reading of its BTF (what libbpf's relocations look in). */
    @Test
    void theRunningKernelAsBpftoolReadsItsBtf() throws Exception {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String raw = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        boolean builtIn = raw.contains("STRUCT 'btrfs_inode'");
        boolean moduleBtf = Files.exists(Path.of("/sys/kernel/btf/btrfs"));
        BtrfsDevices here = BtrfsDevices.probe();
        assertThat(here.state() == BtrfsDevices.State.READ).as(here.reason()).isEqualTo(builtIn || moduleBtf);
    }
}
