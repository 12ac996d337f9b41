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
 * inode 256. {@link #close} unmounts it (lazily when it stays busy) and detaches the loop device; a
 * failed make leaves neither.
 */
public record BtrfsVolume(Path mount, String loop) implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final int UMOUNT_ATTEMPTS = 10;
    private static final Duration UMOUNT_RETRY = Duration.ofMillis(300);

    public static BtrfsVolume make(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path image = dir.resolve("image");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(200L << 20);  // mkfs.btrfs's smallest is ~110 MiB
        }
        ok(List.of("mkfs.btrfs", "-q", image.toString()));
        String loop = ok(List.of("losetup", "--find", "--show", image.toString())).strip();
        try {
            Path mount = Files.createDirectories(dir.resolve("mnt"));
            ok(List.of("mount", "-t", "btrfs", loop, mount.toString()));
            return new BtrfsVolume(mount, loop);
        } catch (IOException | RuntimeException e) {
            Cmd.run(List.of("losetup", "-d", loop), Map.of(), TIMEOUT);
            throw e;
        }
    }

    /** A new subvolume named name at the top level. */
    public Path subvolume(String name) {
        ok(List.of("btrfs", "subvolume", "create", mount.resolve(name).toString()));
        return mount.resolve(name);
    }

    /**
     * Unmounts it, and detaches the loop device whatever happened (a busy one is detached when its
     * file system lets go of it). A mount still busy (a process of the test still in it) is tried
     * again for a few seconds, then detached lazily, said on stderr: no mount is left behind to make
     * the test's @TempDir clean-up fail on a file system that is no longer the test's concern.
     */
    @Override
    public void close() {
        try {
            unmount();
        } finally {
            ok(List.of("losetup", "-d", loop));
        }
    }

    private void unmount() {
        Result last = null;
        for (int attempt = 0; attempt < UMOUNT_ATTEMPTS; attempt++) {
            last = Cmd.run(List.of("umount", mount.toString()), Map.of(), TIMEOUT);
            if (last.ok()) {
                return;
            }
            try {
                Thread.sleep(UMOUNT_RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ok(List.of("umount", "--lazy", mount.toString()));
        System.err.println("eunomia-testkit: " + mount + " was still busy (" + (last == null ? "interrupted" : last.stderr().strip())
                + "): unmounted lazily");
    }

    private static String ok(List<String> command) {
        return Cmd.run(command, Map.of(), TIMEOUT).orThrow(String.join(" ", command)).stdout();
    }
}
