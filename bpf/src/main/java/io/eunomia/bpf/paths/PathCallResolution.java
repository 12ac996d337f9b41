package io.eunomia.bpf.paths;

import io.eunomia.bpf.internal.BoundedLooks;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.SyscallEvent;
import io.eunomia.libbpf.PathDescriptors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
 * symlink or mount gone by then, or a namespace with no task left (the task and its parent gone:
 * another process of its namespace stands in, init's in the host's, a container's init or any live
 * process in a container's: {@link TaskView}), leaves the text as given. The text is already
 * absolute (the kernel wrote the cwd or dirfd's path at the call), so a gone task's cwd is never
 * what is missing: its namespace's root and mounts are. The root is the task's own: the kernel
 * reads it at the call ({@link TaskRoot}), and a parent or stand-in whose root is another (a task
 * that chroot-ed, a container process inside a chroot) is passed over for a live process of the
 * namespace with that root, else nothing is walked (counted: {@link #otherRoot}). Runs at decode,
 * nearest to the call: the poller waits for each walk (events keep their
 * order) but the walk itself runs on a worker and is given up after {@link #WALK_TIMEOUT_NANOS}
 * (the text as given; that namespace's walks are skipped until the late one returns). Every look
 * is a /proc or local file system lookup, never one on a network, FUSE or procfs mount. Every path
 * call that reaches this stage is either walked, named from a directory walked a moment before, or
 * counted with why it was not (a walk that silently did not happen hid a loss once: CI's
 * PathWalkMetricsTest). The counters are written by the poller only and read by metrics scrapes.
 */
public final class PathCallResolution {
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_SYMLINK_FOLLOW = 0x400;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    /**
     * Walks per second at most, on the poller thread (~30 µs each on this VM): path calls in ever
     * new directories, failed ones too, cost a task ~1 µs each and would make the poller fall behind
     * the ring, losing every sensor's events. Past it the text stays as given (counted: {@link #overBudget}).
     */
    static final int MAX_WALKS_PER_SECOND = 2000;
    private static final long SECOND = 1_000_000_000L;
    /** Calls after which a mount table may differ: mount(2), umount2 and the new mount API's. */
    static final Set<String> MOUNT_CHANGES = Set.of("mount", "umount2", "move_mount", "fsmount", "open_tree",
            "open_tree_attr", "mount_setattr", "pivot_root");
    /**
     * How long the poller waits for one walk (a walk takes well under a millisecond; a stalled FUSE
     * or NFS lookup below the root takes forever): long enough for a worker wake-up on a loaded host.
     */
    static final long WALK_TIMEOUT_NANOS = 500_000_000L;
    /** Walker threads left stuck in the kernel at once before every walk is skipped. */
    static final int MAX_STUCK_WALKS = 4;

    private final TaskView tasks;
    private final MountTables mounts;
    private final RecentDirectories recent = new RecentDirectories();
    private final LongSupplier clock;
    private final BoundedLooks looks = new BoundedLooks("eunomia-path-walk-", WALK_TIMEOUT_NANOS, MAX_STUCK_WALKS);
    private final int walksPerSecond;
    private long windowStart;
    private int walksInWindow;
    private volatile long overBudget;
    private volatile long resolved;
    private volatile long changed;
    private volatile long hostNamed;
    private volatile long taskGone;
    private volatile long otherRoot;
    private volatile long standIns;
    private volatile long walks;
    private volatile long unsafeRoots;
    private volatile long walkLimits;
    private volatile long unwalkable;
    private volatile long noMountTable;
    private volatile long errors;

    public PathCallResolution() {
        this(Path.of("/proc"), System::nanoTime);
    }

    /** A stage that walks up to walksPerSecond (benchmarks: the cost of the walk itself, not of the budget's skips). */
    public static PathCallResolution withBudget(int walksPerSecond) {
        return new PathCallResolution(Path.of("/proc"), System::nanoTime, walksPerSecond);
    }

    PathCallResolution(Path proc, LongSupplier clock) {
        this(proc, clock, MAX_WALKS_PER_SECOND);
    }

    PathCallResolution(Path proc, LongSupplier clock, int walksPerSecond) {
        this(TaskView.of(proc, clock), clock, walksPerSecond);
    }

    PathCallResolution(TaskView tasks, LongSupplier clock, int walksPerSecond) {
        this.tasks = tasks;
        this.mounts = new MountTables(clock);
        this.clock = clock;
        this.walksPerSecond = walksPerSecond;
        this.windowStart = clock.getAsLong();
        warmUp();
    }

    /**
     * One walk on this thread before any event: the first use of the native calls links them (tens
     * of milliseconds on a loaded host), which the first real walk must not spend out of its timeout.
     */
    private static void warmUp() {
        PathWalk.resolve(Path.of("/"), "/proc/self/x", false, null);  // a directory, a symlink, its text
    }

    /** The processes whose root and mounts calls are walked through (shared with the file-capability looks). */
    TaskView tasks() {
        return tasks;
    }

    /** The mount tables this stage reads and invalidates (a mount call seen here marks them stale), for others to share. */
    public MountTables mountTables() {
        return mounts;
    }

    /** {@link #apply(Event, TaskRoot)} of a call whose task's root is not known (any process of its namespace's stands in). */
    public Event apply(Event e) {
        return apply(e, TaskRoot.UNKNOWN);
    }

    /**
     * The event with its paths resolved where it is a path call; any other event as it is. root: the
     * task's root directory at the call, as the kernel read it (only a process with that root is
     * walked through when the task is gone: {@link TaskRoot}).
     */
    public Event apply(Event e, TaskRoot root) {
        if (e instanceof SyscallEvent s) {
            if (s.succeeded() && MOUNT_CHANGES.contains(s.syscall())) {
                mounts.mountsChanged();
                recent.clear();
                if (movedFromPath(s)) {
                    return withMovedMount(s);
                }
            }
            return e;
        }
        if (e instanceof FileEvent o && o.op() == FileOp.OPEN && !o.pathResolved() && o.hostPath().isEmpty() && absolute(o.path())) {
            return openOnHost(o);
        }
        if (!(e instanceof FileEvent f) || f.op() == FileOp.OPEN || f.pathResolved()) {
            return e;
        }
        boolean onPath = absolute(f.path());
        boolean onNew = (f.op() == FileOp.RENAME || f.op() == FileOp.LINK || f.op() == FileOp.SYMLINK) && absolute(f.newPath());
        if (!onPath && !onNew) {
            unwalkable++;
            return e;
        }
        String path;
        String newPath;
        Lookup task = new Lookup(f, root);
        try {
            path = onPath ? resolve(task, text(f.path(), f.pathGiven()), f.path(), followsLast(f)) : f.path();
            newPath = onNew ? resolve(task, text(f.newPath(), f.newPathGiven()), f.newPath(), false) : f.newPath();
        } catch (RuntimeException ex) {  // a name Path cannot take, a walk that failed: the text as given
            errors++;
            return e;
        } finally {
            if (f.succeeded() && (f.op() == FileOp.SYMLINK || f.op() == FileOp.RENAME || f.op() == FileOp.MKDIR)) {
                recent.clear();  // a directory name may lead elsewhere now
            }
        }
        if (task.otherRoot) {
            otherRoot++;
        } else if (task.gone) {
            taskGone++;
        } else {
            resolved++;
            if (task.standIn()) {
                standIns++;
            }
        }
        // A host file through a bind of a host directory keeps its container name (drift, the container's
        // rules) and gets the host's too, as an open does in the kernel (fd.host_name).
        MountTable table = task.table != null ? task.table : mounts.of(f.process().mntns(), f.process().mntnsId(), null);
        String host = onPath && table != null ? table.onHost(path, tasks.hostRoot()) : "";
        String hostNew = onNew && table != null ? table.onHost(newPath, tasks.hostRoot()) : "";
        FileEvent named = f;
        if (!path.equals(f.path()) || !newPath.equals(f.newPath())) {
            changed++;
            named = f.withResolvedPaths(path, newPath);
        }
        if (!host.isEmpty() || !hostNew.isEmpty()) {
            hostNamed++;
            named = named.withHostPaths(host, hostNew);
        }
        return named;
    }

    /**
     * An open the kernel named by the caller's text, having no file to name it by (a failure: a denied read of
     * /host/etc/shadow; a ring open that asked for no completion): the host's path of that text when it runs
     * through a bind of a host directory, as a successful open's comes from the kernel. Lexical, no walk (a
     * symlink in the text is not followed), from the table the namespace's path calls keep; none read here: a
     * table read through a task is that task's view, and a failed open in a container's first moments is often
     * its runtime's, before it pivots into the container's root (that view would name the container's next calls).
     */
    private FileEvent openOnHost(FileEvent f) {
        var p = f.process();
        MountTable table = mounts.of(p.mntns(), p.mntnsId(), null);
        String host = table == null ? "" : table.onHost(lexical(f.path()), tasks.hostRoot());
        if (host.isEmpty()) {
            return f;
        }
        hostNamed++;
        return f.withHostPaths(host, "");
    }

    /** Path calls (and opens named by their text) given the host's path of their file (or new name): a container's, through a bind of a host directory. */
    public long hostNamed() {
        return hostNamed;
    }

    /**
     * A move_mount whose source is a path (no MOVE_MOUNT_F_EMPTY_PATH: an existing mount moved, not a
     * detached one attached): the sensor reads source and type from the fd of a detached mount only.
     */
    private static boolean movedFromPath(SyscallEvent s) {
        return s.syscall().equals("move_mount") && (s.arg("flags", 0) & MOVE_MOUNT_F_EMPTY_PATH) == 0
                && s.strings().getOrDefault("source", "").isEmpty() && absolute(s.strings().getOrDefault("target", ""));
    }

    /**
     * The move_mount with the source and type of the mount now at its target, from the namespace's
     * mount table read again (a bind of the host's /etc moved onto a container path names the device
     * and file system as mount(2)'s event would); as it is when the task and its parent are gone or no
     * mount is there (moved again since).
     */
    private SyscallEvent withMovedMount(SyscallEvent s) {
        var p = s.process();
        Path task = tasks.of(p.pid(), p.ppid(), p.mntns(), p.mntnsId());
        MountTable table = task == null ? null : mounts.of(p.mntns(), p.mntnsId(), task);
        MountTable.Mount m = table == null ? null : table.at(lexical(s.strings().get("target")));
        if (m == null) {
            return s;
        }
        Map<String, String> strings = new LinkedHashMap<>(s.strings());
        strings.put("source", m.source());
        strings.put("fstype", m.fsType());
        return new SyscallEvent(s.epochNanos(), p, s.syscall(), s.number(), s.args(), strings, s.result());
    }

    /**
     * An absolute path as mountinfo writes its mount points: empty and "." components left out (the
     * kernel's walk skips them), ".." kept (a link before it would make a lexical ".." wrong: no
     * mount then matches, and the event stays as the sensor gave it).
     */
    static String lexical(String path) {
        StringBuilder out = new StringBuilder();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                out.append('/').append(c);
            }
        }
        return out.isEmpty() ? "/" : out.toString();
    }

    /**
     * What a walk on the worker found: the path (null: none), the task it walked (its parent or a
     * stand-in when it had exited; null: none), whether none left had the task's root (otherRoot).
     */
    private record Walked(String path, Path task, PathWalk.Failure failure, boolean otherRoot, boolean callRoot) {
        static final Walked NO_TASK = new Walked(null, null, PathWalk.Failure.NONE, false, false);
        static final Walked NO_TASK_WITH_ROOT = new Walked(null, null, PathWalk.Failure.NONE, true, false);
    }

    /** One event's task (or its parent) and mount table, looked up at the first need. */
    private final class Lookup {
        final FileEvent event;
        final TaskRoot root;
        private boolean looked;
        boolean gone;
        /** The task was gone and no live process of its namespace had its root: nothing walked. */
        boolean otherRoot;
        /** The last walk was made below the root the kernel read at the call (root, known). */
        boolean walkedCallRoot;
        Path task;
        MountTable table;

        Lookup(FileEvent event, TaskRoot root) {
            this.event = event;
            this.root = root;
        }

        /** The task walked is neither the event's nor its parent's (both gone by then). */
        boolean standIn() {
            var p = event.process();
            String name = task == null ? "" : task.getFileName().toString();
            return task != null && !name.equals(Integer.toString(p.pid())) && !name.equals(Integer.toString(p.ppid()));
        }

        /** /proc/PID of the task or its parent in its namespace; null when neither is there. */
        Path task() {
            if (!looked) {
                looked = true;
                var p = event.process();
                task = tasks.of(p.pid(), p.ppid(), p.mntns(), p.mntnsId());
                gone = task == null;
                table = gone ? null : mounts.of(p.mntns(), p.mntnsId(), task);
            }
            return task;
        }

        /**
         * Walks text below the task's root on the worker ({@link BoundedLooks}: the caller waits at
         * most {@link #WALK_TIMEOUT_NANOS}, then goes on with the text as given). Nothing is walked
         * (null) without the namespace's mount table or on a root mount unsafe to walk
         * ({@link MountTable#unsafeToWalk}): even the root's own stat could wait on its server.
         */
        String walk(String text) {
            // Without the namespace's mounts nothing tells where a lookup could block (a FUSE daemon
            // can stall its root's lookups, and this thread with them): no walk, the text as given.
            if (task() == null) {
                return null;  // counted once per event (taskGone)
            }
            if (table == null) {
                noMountTable++;
                return null;
            }
            if (table.unsafeToWalk("/")) {
                unsafeRoots++;
                return null;
            }
            if (!walkAllowed()) {
                overBudget++;
                return null;
            }
            Path at = task;
            MountTable mountsThen = table;
            var p = event.process();
            Walked w = looks.run(p.mntns(), () -> walkBelowRoot(at, p.pid(), p.ppid(), p.mntns(), p.mntnsId(), root, text, mountsThen))
                    .orElse(null);
            if (w == null) {  // late (counted by looks) or its namespace stalled
                return null;
            }
            task = w.task();
            if (task == null) {  // nothing opened to walk: not a walk
                gone = true;
                otherRoot = w.otherRoot();
                return null;
            }
            walks++;
            walkedCallRoot = w.callRoot();
            if (w.path() == null) {
                walkLimits++;
            }
            return w.path();
        }
    }

    /**
     * On the worker: opens the task's root once (O_PATH: nothing on it is looked up yet), or its
     * parent's when the task exited first (or its pid was reused meanwhile), and walks text below it.
     * Another process's root (the parent's, a stand-in's) is walked only when it is the task's at the
     * call (taskRoot, when known): else a live process of the namespace with that root, else none.
     */
    private Walked walkBelowRoot(Path task, int pid, int ppid, long mntns, long mntnsId, TaskRoot taskRoot, String text,
                                 MountTable table) {
        int root = PathDescriptors.openDirectory(task.resolve("root").toString());
        if (root < 0 || !task.equals(tasks.of(pid, ppid, mntns, mntnsId))) {
            PathDescriptors.close(root);
            task = tasks.of(-1, ppid, mntns, mntnsId);
            root = task == null ? -1 : PathDescriptors.openDirectory(task.resolve("root").toString());
            if (root < 0) {
                return Walked.NO_TASK;
            }
        }
        // A stand-in's root is the call's or is not walked; the task's own is its root now, compared
        // (one statx) only to tell whether the walk may serve other tasks with the call's root.
        boolean own = task.getFileName().toString().equals(Integer.toString(pid));
        boolean callRoot = taskRoot.known() && taskRoot.equals(TaskRoot.ofDescriptor(root));
        if (taskRoot.known() && !own && !callRoot) {
            PathDescriptors.close(root);
            task = tasks.withRoot(mntns, mntnsId, taskRoot);
            root = task == null ? -1 : PathDescriptors.openDirectory(task.resolve("root").toString());
            if (root >= 0 && !taskRoot.equals(TaskRoot.ofDescriptor(root))) {  // chroot-ed since the pass
                tasks.forgetRoot(mntns, mntnsId, taskRoot);
                PathDescriptors.close(root);
                root = -1;
            }
            callRoot = root >= 0;
            if (root < 0) {
                return Walked.NO_TASK_WITH_ROOT;
            }
        }
        try {
            PathWalk.Failure[] why = {PathWalk.Failure.NONE};
            return new Walked(PathWalk.resolve(root, text, true, table, why), task, why[0], false, callRoot);
        } finally {
            PathDescriptors.close(root);
        }
    }

    /**
     * path through the task's root. Without following the last component (a name in its
     * directory: unlink of a mount point is of that name), only the directory is walked and looked
     * up in the mounts, and remembered a moment for the task's next calls there (and, walked below the
     * call's root, for every task with that root: {@link RecentDirectories}).
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
        String resolvedDir = recent.get(p.mntns(), p.mntnsId(), p.pid(), l.root, dir, now);
        if (resolvedDir == null) {
            String walked = l.walk(dir);
            if (walked == null) {
                return normalized;
            }
            resolvedDir = l.table == null ? walked : l.table.throughRoot(walked);
            recent.put(p.mntns(), p.mntnsId(), p.pid(), l.root, l.walkedCallRoot, dir, resolvedDir, now);
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

    /** Walks that took longer than {@link #WALK_TIMEOUT_NANOS}, and walks not tried because an earlier one in their namespace was still stuck. */
    public long walkTimeouts() {
        return looks.timeouts();
    }

    public long walksStalled() {
        return looks.skipped();
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

    /** Path calls left as given because no process was left in their namespace (the task, its parent, a stand-in: {@link TaskView}). */
    public long taskGone() {
        return taskGone;
    }

    /**
     * Path calls left as given because their task was gone and no live process of its namespace had
     * the root the task had at the call (it chroot-ed: its parent's, its namespace's init's root is
     * another tree, where the text names another file).
     */
    public long otherRoot() {
        return otherRoot;
    }

    /** Path calls whose task and parent were gone, walked through another process of their namespace ({@link TaskView}). */
    public long standIns() {
        return standIns;
    }

    /**
     * Looks for a stand-in that went on without the pass over /proc they needed (late past
     * {@link NamespaceStandIns#PASS_WAIT_NANOS}): their calls keep their text, counted as task_gone too.
     */
    public long standInsLate() {
        return tasks.standInsLate();
    }

    /**
     * Processes a look for a chrooted task's stand-in did not ask for their root: their pass had read
     * {@link NamespaceStandIns#MAX_ROOT_READS} (one of them may have had the root: its calls counted other_root).
     */
    public long standInRootsUnread() {
        return tasks.standInRootsUnread();
    }

    /** Path calls whose path the kernel could not make absolute (a dirfd not open, a path it cut: "//..."): nothing to walk. */
    public long unwalkable() {
        return unwalkable;
    }

    /** Walks not done because the task's mount table could not be read (nothing tells where a lookup could block). */
    public long noMountTable() {
        return noMountTable;
    }

    /** Path calls left as given because naming them failed (a name a Path cannot take, a walk that threw). */
    public long errors() {
        return errors;
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
