package io.eunomia.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A block device made for a test: a sparse image in dir with an ext4 file system, attached to a loop
 * device and not mounted (what a test mounts, in a container say, as "the host's disk").
 * {@link #close} detaches it. major and minor are the device's numbers, for an OCI config's
 * linux.devices and its device cgroup rule.
 */
public record LoopDevice(Path image, String device, int major, int minor) implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    public static LoopDevice ext4(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        ok(List.of("mkfs.ext4", "-q", "-F", image.toString()));
        String device = ok(List.of("losetup", "--find", "--show", image.toString())).strip();
        try {
            // "7:3": the numbers the kernel gave it
            String[] numbers = Files.readString(Path.of("/sys/class/block", Path.of(device).getFileName().toString(), "dev"))
                    .strip().split(":");
            return new LoopDevice(image, device, Integer.parseInt(numbers[0]), Integer.parseInt(numbers[1]));
        } catch (IOException | RuntimeException e) {
            Cmd.run(List.of("losetup", "-d", device), Map.of(), TIMEOUT);
            throw e;
        }
    }

    @Override
    public void close() {
        ok(List.of("losetup", "-d", device));
    }

    private static String ok(List<String> command) {
        return Cmd.run(command, Map.of(), TIMEOUT).orThrow(String.join(" ", command)).stdout();
    }
}
