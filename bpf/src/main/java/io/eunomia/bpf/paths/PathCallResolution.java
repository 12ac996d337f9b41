package io.eunomia.bpf.paths;

import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.SyscallEvent;
import io.eunomia.libbpf.PathDescriptors;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Names the file of a path call (unlink, rename, link, symlink, truncate, chmod, chown, mkdir by
 * path) by its path through the task's root, as an open already is: the kernel sends the caller's
 * text made absolute, which may run through a symlinked directory or a bind mount of the root's
 * file system (`rm /mnt/etc-bind/cron.d/job` removes /etc/cron.d/job). Symlinks are resolved below
 * /proc/PID/root ({@link PathWalk}), then bind mounts from the namespace's mount table
 * ({@link MountTable#throughRoot}); the text is kept in pathGiven/newPathGiven when it differs.
 *
 * <p>Racy by nature: it looks at the file system when the record is decoded, after the call. A
 * symlink or mount gone by then, or a task gone with no parent in its namespace, leaves the text as
 * given. Runs on the sensor poller thread, at decode, nearest to the call; every look is a /proc or
 * local file system lookup, never one on a network or FUSE mount.
 */
public final class PathCallResolution {
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_SYMLINK_FOLLOW = 0x400;
    /**
     * Walks per second at most, on the poller thread (~30 µs each on this VM): path calls in ever
     * new directories, failed ones too, cost a task ~1 µs each and would make the poller fall behind
     * the ring, losing every sensor's events. Past it the text stays as given (counted: {@link #overBudget}).
     */
    static final int MAX_WALKS_PER_SECOND = 2000;
    private static final long SECOND = 1_000_000_000L;

    private final TaskView tasks;
    private final MountTables mounts;
    private final RecentDirectories recent = new RecentDirectories();
    private final LongSupplier clock;
    private final int walksPerSecond;
    private long windowStart;
    private int walksInWindow;
    private long overBudget;
    private long resolved;
    private long changed;
    private long taskGone;
    private long walks;
    private long unsafeRoots;
    private long walkLimits;

    public PathCallResolution() {
        this(Path.of("/proc"), System::nanoTime);
    }

    PathCallResolution(Path proc, LongSupplier clock) {
        this(proc, clock, MAX_WALKS_PER_SECOND);
    }

    PathCallResolution(Path proc, LongSupplier clock, int walksPerSecond) {
        this.tasks = new TaskView(proc);
        this.mounts = new MountTables(clock);
        this.clock = clock;
        this.walksPerSecond = walksPerSecond;
        this.windowStart = clock.getAsLong();
    }

    /** The event with its paths resolved where it is a path call; any other event as it is. */
    public Event apply(Event e) {
        if (e instanceof SyscallEvent s) {
            if (s.succeeded() && (s.syscall().equals("mount") || s.syscall().equals("umount2"))) {
                mounts.mountsChanged();
                recent.clear();
            }
            return e;
        }
        if (!(e instanceof FileEvent f) || f.op() == FileOp.OPEN || f.pathResolved()) {
            return e;
        }
        boolean onPath = absolute(f.path());
        boolean onNew = (f.op() == FileOp.RENAME || f.op() == FileOp.LINK || f.op() == FileOp.SYMLINK) && absolute(f.newPath());
        if (!onPath && !onNew) {
            return e;
        }
        String path;
        String newPath;
        Lookup task = new Lookup(f);
        try (task) {
            path = onPath ? resolve(task, text(f.path(), f.pathGiven()), f.path(), followsLast(f)) : f.path();
            newPath = onNew ? resolve(task, text(f.newPath(), f.newPathGiven()), f.newPath(), false) : f.newPath();
        } catch (RuntimeException ex) {  // a name Path cannot take: the text as given
            return e;
        } finally {
            if (f.succeeded() && (f.op() == FileOp.SYMLINK || f.op() == FileOp.RENAME || f.op() == FileOp.MKDIR)) {
                recent.clear();  // a directory name may lead elsewhere now
            }
        }
        if (task.gone) {
            taskGone++;
        } else {
            resolved++;
        }
        if (path.equals(f.path()) && newPath.equals(f.newPath())) {
            return e;
        }
        changed++;
        return f.withResolvedPaths(path, newPath);
    }

    /** One event's task (or its parent), its root's descriptor and mount table, looked up at the first need. */
    private final class Lookup implements AutoCloseable {
        final FileEvent event;
        private boolean looked;
        boolean gone;
        Path task;
        MountTable table;
        private int root = -1;

        Lookup(FileEvent event) {
            this.event = event;
        }

        /** /proc/PID of the task or its parent in its namespace; null when neither is there. */
        Path task() {
            if (!looked) {
                looked = true;
                var p = event.process();
                task = tasks.of(p.pid(), p.ppid(), p.mntns());
                gone = task == null;
                table = gone ? null : mounts.of(p.mntns(), p.mntnsId(), task);
            }
            return task;
        }

        /**
         * Walks text below the task's root, from one descriptor of it opened for the event (the
         * root stays what it was even if the task exits meanwhile). A task gone before its root
         * was opened is replaced by its parent in the namespace. Nothing is walked (null) without
         * the namespace's mount table or on a root mount unsafe to walk ({@link MountTable#unsafeToWalk}):
         * even the root's own stat could wait on its server.
         */
        String walk(String text) {
            // Without the namespace's mounts nothing tells where a lookup could block (a FUSE daemon
            // can stall its root's lookups, and this thread with them): no walk, the text as given.
            if (task() == null || table == null) {
                return null;
            }
            if (table.unsafeToWalk("/")) {
                unsafeRoots++;
                return null;
            }
            if (root < 0 && !openRoot()) {
                return null;
            }
            if (!walkAllowed()) {
                overBudget++;
                return null;
            }
            walks++;
            PathWalk.Failure[] why = {PathWalk.Failure.NONE};
            String walked = PathWalk.resolve(root, text, true, table, why);
            if (walked == null) {
                walkLimits++;
            }
            return walked;
        }

        /** The task's root opened O_PATH (or its parent's, when it exited first); false when neither is there. */
        private boolean openRoot() {
            var p = event.process();
            root = PathDescriptors.openDirectory(task.resolve("root").toString());
            if (root >= 0 && task.equals(tasks.of(p.pid(), p.ppid(), p.mntns()))) {
                return true;  // still that task after the open: the pid was not reused meanwhile
            }
            PathDescriptors.close(root);
            root = -1;
            task = tasks.of(-1, p.ppid(), p.mntns());
            if (task != null) {
                root = PathDescriptors.openDirectory(task.resolve("root").toString());
            }
            if (root < 0) {
                gone = true;
                return false;
            }
            return true;
        }

        @Override
        public void close() {
            PathDescriptors.close(root);
            root = -1;
        }
    }

    /**
     * path through the task's root. Without following the last component (a name in its
     * directory: unlink of a mount point is of that name), only the directory is walked and looked
     * up in the mounts, and remembered a moment for the task's next calls there.
     */
    private String resolve(Lookup l, String text, String normalized, boolean followLast) {
        var p = l.event.process();
        if (followLast) {
            String walked = l.walk(text);
            return walked == null ? normalized : l.table == null ? walked : l.table.throughRoot(walked);
        }
        String last = text.substring(text.lastIndexOf('/') + 1);
        // The name acted on must be a name: "x/..", "x/." and "x/" leave the normalised text's.
        String path = last.isEmpty() || last.equals(".") || last.equals("..") ? normalized : text;
        int slash = path.lastIndexOf('/');
        String dir = slash == 0 ? "/" : path.substring(0, slash);
        long now = clock.getAsLong();
        String resolvedDir = recent.get(p.mntns(), p.mntnsId(), p.pid(), dir, now);
        if (resolvedDir == null) {
            String walked = l.walk(dir);
            if (walked == null) {
                return normalized;
            }
            resolvedDir = l.table == null ? walked : l.table.throughRoot(walked);
            recent.put(p.mntns(), p.mntnsId(), p.pid(), dir, resolvedDir, now);
        }
        return (resolvedDir.equals("/") ? "" : resolvedDir) + path.substring(slash);
    }

    /** Whether this second's walks leave room for one more (counted when they do). */
    private boolean walkAllowed() {
        long now = clock.getAsLong();
        if (now - windowStart >= SECOND) {
            windowStart = now;
            walksInWindow = 0;
        }
        if (walksInWindow >= walksPerSecond) {
            return false;
        }
        walksInWindow++;
        return true;
    }

    /** Walks not done because {@link #MAX_WALKS_PER_SECOND} were done already that second: their text stayed as given. */
    public long overBudget() {
        return overBudget;
    }

    /** Walks of a task's root done (each at most {@link PathWalk#MAX_COMPONENTS} lookups). */
    public long walks() {
        return walks;
    }

    /** Walks not done because the task's root is on a mount unsafe to walk (FUSE, network, procfs). */
    public long unsafeRoots() {
        return unsafeRoots;
    }

    /** Walks given up past the symlink or component limits (or an unreadable link): their text stayed as given. */
    public long walkLimits() {
        return walkLimits;
    }

    /** Path calls resolved (their task or its parent was there), and of those how many were named otherwise. */
    public long resolved() {
        return resolved;
    }

    public long changed() {
        return changed;
    }

    /** Path calls left as given because neither their task nor its parent was still in its namespace. */
    public long taskGone() {
        return taskGone;
    }

    /** Path calls whose directory was known from the task's calls a moment before (no look at the file system). */
    public long recentHits() {
        return recent.hits();
    }

    /** Mount tables read (each namespace's at most once a second, and after a mount or umount). */
    public long mountTableReads() {
        return mounts.reads();
    }

    /** What to walk: the caller's text before "." and ".." were applied, when the decoder kept it. */
    private static String text(String normalized, String given) {
        return given.isEmpty() ? normalized : given;
    }

    /** The calls that act on what a final symlink names: truncate, chmod and chown unless told not to, link when told to. */
    private static boolean followsLast(FileEvent f) {
        return switch (f.op()) {
            case TRUNCATE -> true;
            case CHMOD -> (f.flags() & AT_SYMLINK_NOFOLLOW) == 0;
            case CHOWN -> !f.syscall().equals("lchown") && (f.flags() & AT_SYMLINK_NOFOLLOW) == 0;
            case LINK -> (f.flags() & AT_SYMLINK_FOLLOW) != 0;
            case SYMLINK -> true;  // its target: what the link will name when followed
            default -> false;
        };
    }

    /** A path the kernel made absolute (not one whose directory was unknown, nor one it had to cut: "//..."). */
    private static boolean absolute(String p) {
        return p.startsWith("/") && !p.startsWith("//");
    }
}
