package io.eunomia.enforcer.verify;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What to run: an image known to the runtime, or a root file system directory (runc, crun,
 * containerd and podman take one; the workload runs on the directory itself), and the command.
 */
public record Workload(Optional<String> image, Optional<Path> rootfs, List<String> command) {
    public Workload {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a workload needs a command");
        }
        if (image.isPresent() == rootfs.isPresent()) {
            throw new IllegalArgumentException("give either an image or a root file system");
        }
        rootfs = rootfs.map(p -> p.toAbsolutePath().normalize());
    }

    public static Workload image(String image, List<String> command) {
        return new Workload(Optional.of(image), Optional.empty(), command);
    }

    public static Workload rootfs(Path dir, List<String> command) {
        return new Workload(Optional.empty(), Optional.of(dir), command);
    }
}
