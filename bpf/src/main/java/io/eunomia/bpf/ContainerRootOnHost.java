package io.eunomia.bpf;

import io.eunomia.bpf.internal.ProcessRecords.Root;
import io.eunomia.bpf.paths.MountTable;
import io.eunomia.libbpf.PathDescriptors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the host reaches a container's root directory that the kernel described at an exec
 * ({@link Root}: device, inode, path from its file system's root), for looking at the container's
 * files when its process, and with it /proc/PID/root, is gone (a container whose only process
 * lives a millisecond). A mount of the same device in the host's mount table whose root is a
 * prefix of that path reaches it; the directory found must be that device and inode (a path alone
 * could name another directory by now). A root on a file system the host no longer mounts (an
 * overlay unmounted with its container) is not found.
 */
final class ContainerRootOnHost {
    private ContainerRootOnHost() {}

    /** The directory, or empty when the host mounts no file system that reaches it. */
    static Optional<Path> find(Root root, Path mountinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            return Optional.empty();
        }
        String device = root.major() + ":" + root.minor();
        for (String line : lines) {
            // id parent major:minor root mountpoint options ... - type source superoptions
            String[] f = line.split(" ");
            if (f.length < 5 || !f[2].equals(device)) {
                continue;
            }
            String mountRoot = MountTable.unescape(f[3]);
            String rest = below(mountRoot, root.fsPath());
            if (rest == null) {
                continue;
            }
            Path candidate = Path.of(MountTable.unescape(f[4]), rest);
            if (isIt(candidate, f[0], root)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** fsPath relative to the mount's root ("" for the root itself), or null when it is not below it. */
    private static String below(String mountRoot, String fsPath) {
        if (mountRoot.equals("/")) {
            return fsPath.substring(1);
        }
        if (fsPath.equals(mountRoot)) {
            return "";
        }
        return fsPath.startsWith(mountRoot + "/") ? fsPath.substring(mountRoot.length() + 1) : null;
    }

    /**
     * Whether dir is the root: that inode, a directory, on the mount of the mountinfo line (whose
     * device is the root's). Not stat's device: on btrfs that is a subvolume's anonymous device,
     * never the superblock's s_dev the kernel reported (and mountinfo lists).
     */
    private static boolean isIt(Path dir, String mountId, Root root) {
        PathDescriptors.Mounted m = PathDescriptors.mountinfoMountOf(dir.toString());
        return m != null && Long.toString(m.mountId()).equals(mountId) && m.ino() == root.ino() && Files.isDirectory(dir);
    }
}
