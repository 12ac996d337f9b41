package io.eunomia.bpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's root directory: the device stat reports for it (in the kernel's {@code dev_t} encoding,
 * {@code major << 20 | minor}) and its inode number. Syscall learning compares a task's root with it
 * ({@code syscount.bpf.c}), reading the device as stat does ({@code common.bpf.h stat_dev}): on btrfs
 * that is the subvolume's anonymous device, not the superblock's s_dev, and every subvolume's root is
 * inode 256, so only the pair names one root there.
 *
 * @param kernelDev 0 with {@code inode} 0: unknown, not checked
 */
public record HostRoot(int kernelDev, long inode) {
    public static final HostRoot UNKNOWN = new HostRoot(0, 0);

    /** pid 1's root (the host's, also when we run in a container with the host's pids), else ours. */
    public static HostRoot ofThisProcess() {
        for (Path p : new Path[] {Path.of("/proc/1/root/"), Path.of("/")}) {
            HostRoot r = of(p);
            if (r != UNKNOWN) {
                return r;
            }
        }
        return UNKNOWN;
    }

    /** The directory dir as a root (a link followed), UNKNOWN when it cannot be read. */
    public static HostRoot of(Path dir) {
        try {
            long dev = (Long) Files.getAttribute(dir, "unix:dev");
            long ino = (Long) Files.getAttribute(dir, "unix:ino");
            return new HostRoot(kernelDev(dev), ino);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return UNKNOWN;  // not readable here
        }
    }

    /** glibc's st_dev encoding to the kernel's: major and minor are split across the 64 bits. */
    static int kernelDev(long stDev) {
        long major = ((stDev >>> 8) & 0xfff) | ((stDev >>> 32) & ~0xfffL);
        long minor = (stDev & 0xff) | ((stDev >>> 12) & ~0xffL);
        return (int) ((major << 20) | (minor & 0xfffff));
    }
}
