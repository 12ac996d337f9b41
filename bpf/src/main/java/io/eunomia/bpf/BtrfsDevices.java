package io.eunomia.bpf;

import io.eunomia.bpf.internal.Preflight;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the kernel programs name a file on btrfs by the device stat(2) reports (its subvolume's),
 * as user space keys watched files ({@code stat_dev} in common.bpf.h). The programs find btrfs's
 * types when they load: in the kernel's BTF when btrfs is built in, in the module's when it is
 * loaded by then. Loaded before the module, they read the superblock's device, and watched files
 * on btrfs silently stop matching: said once at start (warning) and on the scrape
 * ({@code eunomia_btrfs_device_ids}). Decided before the sensors load, so a module loaded in
 * between gives a needless warning rather than none.
 *
 * @param state  what the programs do with btrfs
 * @param reason one line for operators
 */
public record BtrfsDevices(State state, String reason) {
    private static final System.Logger LOG = System.getLogger(BtrfsDevices.class.getName());
    private static final AtomicBoolean warned = new AtomicBoolean();

    public enum State {
        /** btrfs cannot appear on this kernel (neither built in nor a module it has): nothing to match. */
        ABSENT,
        /** The programs read each btrfs subvolume's device, as stat does. */
        READ,
        /** btrfs is, or may become, available, but the programs load without its types: its files do not match. */
        UNREAD
    }

    /** What decides it, read from the running kernel. */
    record Kernel(boolean typeBuiltIn, boolean moduleBtfLoaded, boolean registered, boolean moduleInstalled) {}

    /** The decision for the running kernel; a warning (once per process) when btrfs's files would not match. */
    public static BtrfsDevices probe() {
        BtrfsDevices d = decide(new Kernel(Preflight.vmlinuxHasBtrfsInode(), Files.exists(Path.of("/sys/kernel/btf/btrfs")),
                registered(Path.of("/proc/filesystems")), moduleInstalled(Path.of("/lib/modules"), Path.of("/proc/sys/kernel/osrelease"))));
        if (d.state() == State.UNREAD && warned.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, d.reason());
        }
        return d;
    }

    static BtrfsDevices decide(Kernel k) {
        if (k.typeBuiltIn() || k.moduleBtfLoaded()) {
            return new BtrfsDevices(State.READ, "btrfs: files named by their subvolume's device, as stat reports it");
        }
        if (k.registered() || k.moduleInstalled()) {
            return new BtrfsDevices(State.UNREAD, "btrfs is " + (k.registered() ? "registered (/proc/filesystems)"
                    : "an installed module") + " but its types are not in the kernel's BTF"
                    + (k.registered() ? " (no /sys/kernel/btf/btrfs)" : ", and it was not loaded when the sensors loaded")
                    + ": watched files on btrfs subvolumes will not match (the programs see the superblock's device, "
                    + "stat the subvolume's); load the btrfs module before eunomia starts (modprobe btrfs) to have them match");
        }
        return new BtrfsDevices(State.ABSENT, "btrfs: not on this kernel");
    }

    /** Whether the kernel lists btrfs as a file system type it has (built in or a module loaded). */
    static boolean registered(Path filesystems) {
        try {
            return Files.readAllLines(filesystems).stream().anyMatch(l -> l.endsWith("\tbtrfs"));
        } catch (IOException e) {
            return true; // unknown: assume it may be there, so that a mismatch is said rather than hidden
        }
    }

    /** Whether the running kernel's module directory has a btrfs module (a mount would load it). */
    static boolean moduleInstalled(Path modulesRoot, Path osRelease) {
        try {
            Path dep = modulesRoot.resolve(Files.readString(osRelease).strip()).resolve("modules.dep");
            return Files.isRegularFile(dep) && Files.readAllLines(dep).stream().anyMatch(l -> l.contains("/btrfs.ko"));
        } catch (IOException e) {
            return true;
        }
    }

    /** The line for logs and status. */
    @Override
    public String toString() {
        return reason;
    }
}
