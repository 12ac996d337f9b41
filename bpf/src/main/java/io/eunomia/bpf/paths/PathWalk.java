package io.eunomia.bpf.paths;

import io.eunomia.libbpf.PathDescriptors;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves the symlinks of an absolute path as a task sees it, one component at a time from a
 * descriptor of its root (/proc/PID/root opened once): each component is opened relative to the
 * descriptor of the directory before it, without following it (O_PATH|O_NOFOLLOW|O_DIRECTORY), a
 * symlink's text is read relative to that directory's descriptor and taken against the task's root (an absolute target
 * starts again at the root's descriptor, ".." goes back to the previous one and stops at the root).
 * No lookup ever starts from the reader's root or re-walks a prefix, so a component swapped for a
 * symlink mid-walk (an absolute one included) is read as what it is then, inside the task's root.
 * Bounded: 40 symlinks (the kernel's own limit), 64 components. The walk stops (the rest kept as
 * given) at a component that does not exist, and does not look below a mount where a lookup could
 * block or means something else to this reader (network file systems, FUSE, procfs: see
 * {@link MountTable#unsafeToWalk}).
 */
final class PathWalk {
    static final int MAX_LINKS = 40;
    static final int MAX_COMPONENTS = 64;
    /** In the descriptor stack: a component taken as given (below an unsafe mount), not opened. */
    private static final int NOT_OPENED = -1;
    private static final int ENOTDIR = 20;

    /** Why a walk gave up (null result). */
    enum Failure { NONE, TOO_MANY_LINKS, TOO_LONG }

    private PathWalk() {}

    /** {@link #resolve(int, String, boolean, MountTable, Failure[])} below the directory root (opened here). */
    static String resolve(Path root, String path, boolean followLast, MountTable mounts) {
        int fd = PathDescriptors.openDirectory(root.toString());
        if (fd < 0) {
            return null;
        }
        try {
            return resolve(fd, path, followLast, mounts, null);
        } finally {
            PathDescriptors.close(fd);
        }
    }

    /**
     * path with its symlinks resolved below the directory descriptor root, the last component
     * followed only when followLast; null when the walk gave up (too many links or components: why
     * in failure[0] when given).
     */
    static String resolve(int root, String path, boolean followLast, MountTable mounts, Failure[] failure) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        List<String> done = new ArrayList<>();
        Deque<Integer> fds = new ArrayDeque<>();  // one per done component, the last on top
        int links = 0;
        int steps = 0;
        try {
            while (!todo.isEmpty()) {
                String c = todo.pollFirst();
                if (c.equals("..")) {
                    if (!done.isEmpty()) {
                        done.removeLast();
                        PathDescriptors.close(fds.pollLast());
                    }
                    continue;
                }
                if (++steps > MAX_COMPONENTS + MAX_LINKS * 8) {
                    return fail(failure, Failure.TOO_LONG);
                }
                boolean last = todo.isEmpty();
                int dir = fds.isEmpty() ? root : fds.peekLast();
                if ((last && !followLast) || dir == NOT_OPENED || (mounts != null && mounts.unsafeToWalk(joined(done, c)))) {
                    done.add(c);
                    fds.addLast(NOT_OPENED);
                    continue;
                }
                // A directory (most components) costs an open and a close; anything else is read as a
                // link relative to the held directory: whatever it is then, it is looked at in the root.
                int at = PathDescriptors.openChildDirectory(dir, c);
                if (at >= 0) {
                    done.add(c);
                    fds.addLast(at);
                    continue;
                }
                String target = at == -ENOTDIR ? PathDescriptors.readLinkAt(dir, c) : null;
                if (target == null) {  // no such name (or no longer), or not a directory nor a symlink: the rest is as given
                    done.add(c);
                    for (String r : todo) {
                        if (!r.equals("..")) {
                            done.add(r);
                        } else if (!done.isEmpty()) {
                            done.removeLast();
                        }
                    }
                    break;
                }
                if (++links > MAX_LINKS) {
                    return fail(failure, Failure.TOO_MANY_LINKS);
                }
                if (target.startsWith("/")) {
                    done.clear();
                    fds.forEach(PathDescriptors::close);
                    fds.clear();
                }
                push(todo, target);
            }
        } finally {
            fds.forEach(PathDescriptors::close);
        }
        if (done.size() > MAX_COMPONENTS) {
            return fail(failure, Failure.TOO_LONG);
        }
        return "/" + String.join("/", done);
    }

    private static String fail(Failure[] failure, Failure why) {
        if (failure != null) {
            failure[0] = why;
        }
        return null;
    }

    /** The components of text put before what is left to walk ("" and "." dropped). */
    private static void push(Deque<String> todo, String text) {
        String[] parts = text.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i];
            if (!p.isEmpty() && !p.equals(".")) {
                todo.addFirst(p);
            }
        }
    }

    private static String joined(List<String> done, String c) {
        StringBuilder b = new StringBuilder();
        for (String d : done) {
            b.append('/').append(d);
        }
        return b.append('/').append(c).toString();
    }
}
