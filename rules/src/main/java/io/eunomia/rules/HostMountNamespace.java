package io.eunomia.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The inode of the host's mount namespace, read once: pid 1's, or ours when pid 1's cannot be read
 * (where pid 1 holds a capability root lacks, its ns links are closed even to root); -1 when neither.
 * Public so that tests build "the host's namespace" the way {@code container.in_host_mntns} reads it.
 */
public final class HostMountNamespace {
    static final long INODE = read();

    private HostMountNamespace() {}

    /** The host's mount namespace inode as the rules compare it, -1 when it could not be read. */
    public static long inode() {
        return INODE;
    }

    private static long read() {
        long pid1 = read("1");
        return pid1 >= 0 ? pid1 : read("self");
    }

    private static long read(String pid) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns", "mnt")).toString(); // mnt:[4026531841]
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
