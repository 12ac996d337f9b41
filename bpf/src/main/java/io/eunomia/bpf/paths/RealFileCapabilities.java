package io.eunomia.bpf.paths;

import io.eunomia.bpf.internal.BoundedLooks;
import io.eunomia.event.Event;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import io.eunomia.libbpf.PathDescriptors;
import io.eunomia.libbpf.RootLookup;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The file capabilities an xattr call really gave a file (issue 16, TOCTOU). The privilege sensor
 * reads a call's name and value from the caller's memory when the call returns, after the kernel has
 * copied them: a racing thread, or one that answers a page fault the kernel waits on while it copies
 * the value, can show "user.x", another watched name ("security.x") or a harmless value by then.
 * After every successful setxattr-family call, whatever name it reports (these calls are rare), the
 * file's own security.capability is read
 * through the task's root ({@link RootLookup}: openat2 RESOLVE_IN_ROOT from /proc/PID/root, never a
 * file outside it; a symlink followed inside it, but not as the last component of lsetxattr, which
 * wrote the link's own attribute: its target's capabilities are no news of this call);
 * when the file holds capabilities the event does not say, the event names security.capability with
 * the sets the file holds, so the rules judge what the kernel wrote. A task gone by then (a short
 * `runc exec`, whose parent is outside the container) is looked at through the root its container's
 * last exec ran in, as the host reaches it; a host task's through "/". Racy the other way only: a
 * removal between the call and this look leaves the event as the caller's memory told it.
 *
 * <p>Runs at decode on the poller; the look runs on a worker for {@link #TIMEOUT_NANOS} at most (a
 * getxattr on a FUSE or network file can wait for ever), then that namespace's looks are skipped
 * until the late one returns. A file on a mount unsafe to look at (FUSE, network, procfs: its
 * namespace's mount table, {@link MountTable#unsafeToWalk}) is not looked at, so a FUSE file the
 * caller controls cannot hold the workers and blind the later looks. Looks not made are counted
 * ({@link #stats()}); such an event stays as the caller's memory told it (no event field says so).
 */
public final class RealFileCapabilities {
    static final Set<String> CALLS = Set.of("setxattr", "lsetxattr", "fsetxattr", "setxattrat");
    static final String NAME = "security.capability";
    static final long TIMEOUT_NANOS = 500_000_000L;

    /** The sets of a security.capability value (struct vfs_cap_data), as the privilege sensor reports them. */
    record Sets(long permitted, long inheritable, long effective, int size) {
        /** The sets of value, or null when it is no vfs_cap_data (too short, unknown revision). */
        static Sets of(byte[] value) {
            if (value == null || value.length < 12) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            int magic = b.getInt(0);
            int revision = magic & 0xFF000000;
            long permitted = Integer.toUnsignedLong(b.getInt(4));
            long inheritable = Integer.toUnsignedLong(b.getInt(8));
            if (revision == 0x02000000 || revision == 0x03000000) {
                if (value.length < 20) {
                    return null;
                }
                permitted |= Integer.toUnsignedLong(b.getInt(12)) << 32;
                inheritable |= Integer.toUnsignedLong(b.getInt(16)) << 32;
            } else if (revision != 0x01000000) {
                return null;
            }
            return new Sets(permitted, inheritable, magic & 1, value.length);
        }

        boolean told(SyscallEvent s) {
            return s.arg("cap_permitted", 0) == permitted && s.arg("cap_inheritable", 0) == inheritable
                    && s.arg("cap_effective", 0) == effective;
        }
    }

    private final TaskView tasks;
    private final long hostMntns;
    private final LongFunction<Optional<Path>> containerRoots;
    private final BoundedLooks looks = new BoundedLooks("eunomia-xattr-look-", TIMEOUT_NANOS, 2);
    private final MountTables mounts;
    private volatile long corrected;
    private volatile long unsafeMounts;

    /** Looks not made: late ones, ones skipped behind a late one, files on a mount unsafe to look at. */
    public record Stats(long timeouts, long stalled, long unsafeMounts) {}

    /**
     * @param hostMntns      the host's mount namespace (inode): its tasks' root is "/"
     * @param containerRoots where the host reaches a container's root, by mount namespace id, once its task is gone
     * @param mounts         the mount tables of the path stage (which mounts are unsafe to look at)
     */
    public RealFileCapabilities(long hostMntns, LongFunction<Optional<Path>> containerRoots, MountTables mounts) {
        this(Path.of("/proc"), hostMntns, containerRoots, mounts);
    }

    /**
     * Over the path stage's processes and mount tables: one stand-in finder (one /proc pass at a
     * time, one kept stand-in per namespace) for both stages.
     */
    public RealFileCapabilities(long hostMntns, LongFunction<Optional<Path>> containerRoots, PathCallResolution paths) {
        this(paths.tasks(), hostMntns, containerRoots, paths.mountTables());
    }

    RealFileCapabilities(Path proc, long hostMntns, LongFunction<Optional<Path>> containerRoots, MountTables mounts) {
        this(TaskView.of(proc, System::nanoTime), hostMntns, containerRoots, mounts);
    }

    private RealFileCapabilities(TaskView tasks, long hostMntns, LongFunction<Optional<Path>> containerRoots, MountTables mounts) {
        this.tasks = tasks;
        this.hostMntns = hostMntns;
        this.containerRoots = containerRoots;
        this.mounts = mounts;
        warmUp();
    }

    /**
     * One look on this thread before any event: the first getxattr downcall is linked then (hundreds
     * of milliseconds on a loaded host), which the first real look must not spend out of its timeout.
     */
    private static void warmUp() {
        ProcessHandle.current().info().command().ifPresent(java -> read(List.of(Path.of("/")), java, true));  // a regular file, no capabilities
        PathDescriptors.attribute("/", NAME);
    }

    /** The event with the capabilities its file holds where the caller's memory told otherwise; any other event as it is. */
    public Event apply(Event e) {
        if (!(e instanceof SyscallEvent s) || !s.succeeded() || !CALLS.contains(s.syscall())) {
            return e;
        }
        String name = s.strings().getOrDefault("name", "");
        String path = s.strings().getOrDefault("path", "");
        if (!path.startsWith("/")) {
            return e;
        }
        var p = s.process();
        Path task = tasks.of(p.pid(), p.ppid(), p.mntns(), p.mntnsId());
        MountTable table = mounts.of(p.mntns(), p.mntnsId(), task);  // a gone task's: the last one read, if any
        if (table != null && table.unsafeToWalk(path)) {
            unsafeMounts++;
            return e;
        }
        List<Path> roots = rootsOf(p, task);
        if (roots.isEmpty()) {
            return e;
        }
        boolean follow = !s.syscall().equals("lsetxattr");
        Sets real = looks.run(p.mntns(), () -> read(roots, path, follow)).orElse(null);
        if (real == null || (name.equals(NAME) && real.told(s))) {
            return e;
        }
        corrected++;
        Map<String, Long> args = new LinkedHashMap<>(s.args());
        args.put("size", (long) real.size());
        args.put("cap_permitted", real.permitted());
        args.put("cap_inheritable", real.inheritable());
        args.put("cap_effective", real.effective());
        Map<String, String> strings = new LinkedHashMap<>(s.strings());
        strings.put("name", NAME);
        return new SyscallEvent(s.epochNanos(), p, s.syscall(), s.number(), args, strings, s.result());
    }

    /**
     * The roots the task saw, to try in order: its own (or its parent's in its namespace), then its
     * container's or the host's. A task in the middle of its exit still shows its namespace but no
     * longer its root (exit_fs runs before exit_task_namespaces), so its own may not open.
     */
    private List<Path> rootsOf(ProcessInfo p, Path task) {
        List<Path> roots = new ArrayList<>(2);
        if (task != null) {
            roots.add(task.resolve("root"));
        }
        if (p.mntns() == hostMntns) {
            roots.add(Path.of("/"));
        } else {
            containerRoots.apply(p.mntnsId()).ifPresent(roots::add);
        }
        return roots;
    }

    public Stats stats() {
        return new Stats(looks.timeouts(), looks.skipped(), unsafeMounts);
    }

    /** Events whose name or sets were replaced by what the file holds. */
    public long corrected() {
        return corrected;
    }

    /**
     * The sets of the regular file at path below the first of roots that opens (symlinks followed
     * inside it, the last one only when follow: file capabilities are a regular file's); null: none.
     */
    private static Sets read(List<Path> roots, String path, boolean follow) {
        for (Path root : roots) {
            try (RootLookup in = RootLookup.open(root)) {
                if (!in.opened()) {
                    continue;
                }
                RootLookup.Reader<Sets> sets = f -> Sets.of(PathDescriptors.attribute(f.toString(), NAME));
                return (follow ? in.readRegular(path, sets) : in.readRegularNoFollow(path, sets)).orElse(null);
            } catch (IOException | IllegalArgumentException e) {  // unreadable, or a name no file has (a NUL byte)
                return null;
            }
        }
        return null;
    }
}
