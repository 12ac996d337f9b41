package io.eunomia.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A btrfs file system made for a test (a sparse image in dir on a loop device, mounted at dir/mnt):
 * how openSUSE and Fedora hosts keep their roots. stat(2) there reports each subvolume's own
 * anonymous device, not the superblock's s_dev a BPF program reads, and every subvolume's root is
 * inode 256. {@link #close} unmounts it and detaches the loop device; a failed make leaves neither.
 */
public record BtrfsVolume(Path mount, String loop) implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    public static BtrfsVolume make(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path image = dir.resolve("image");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(200L << 20);  // mkfs.btrfs's smallest is ~110 MiB
        }
        ok(List.of("mkfs.btrfs", "-q", image.toString()));
        String loop = ok(List.of("losetup", "--find", "--show", image.toString())).strip();
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        try {
            ok(List.of("mount", "-t", "btrfs", loop, mount.toString()));
        } catch (RuntimeException e) {
            Cmd.run(List.of("losetup", "-d", loop), Map.of(), TIMEOUT);
            throw e;
        }
        return new BtrfsVolume(mount, loop);
    }

    /** A new subvolume named name at the top level. */
    public Path subvolume(String name) {
        ok(List.of("btrfs", "subvolume", "create", mount.resolve(name).toString()));
        return mount.resolve(name);
    }

    @Override
    public void close() {
        try {
            ok(List.of("umount", mount.toString()));
        } finally {
            ok(List.of("losetup", "-d", loop));
        }
    }

    private static String ok(List<String> command) {
        return Cmd.run(command, Map.of(), TIMEOUT).orThrow(String.join(" ", command)).stdout();
    }
}
