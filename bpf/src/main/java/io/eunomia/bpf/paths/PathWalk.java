package io.eunomia.bpf.paths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves the symlinks of an absolute path as a task sees it, one component at a time below
 * its /proc/PID/root: each component is looked at without following it (lstat), a symlink's
 * text is read (readlink) and taken against the task's root (an absolute target starts again at
 * it, ".." stops at it), so nothing outside the task's root is named or followed. Bounded: 40
 * symlinks (the kernel's own limit), 64 components. The walk stops (the rest kept as given) at a
 * component that does not exist, and at a mount where a lookup could block or means something
 * else to this reader (network file systems, FUSE, procfs: see {@link MountTable#unsafeToWalk}).
 */
final class PathWalk {
    static final int MAX_LINKS = 40;
    static final int MAX_COMPONENTS = 64;

    private PathWalk() {}

    /**
     * path with its symlinks resolved, the last component followed only when followLast; null
     * when the walk gave up (too many links or components, an unreadable link).
     */
    static String resolve(Path taskRoot, String path, boolean followLast, MountTable mounts) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        List<String> done = new ArrayList<>();
        int links = 0;
        int steps = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            if (++steps > MAX_COMPONENTS + MAX_LINKS * 8) {
                return null;
            }
            boolean last = todo.isEmpty();
            String candidate = joined(done, c);
            if ((last && !followLast) || (mounts != null && mounts.unsafeToWalk(candidate))) {
                done.add(c);
                continue;
            }
            Path at = taskRoot.resolve(candidate.substring(1));
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(at, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {  // it does not exist (or no longer): the rest is as given
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
            if (!a.isSymbolicLink()) {
                done.add(c);
                continue;
            }
            if (++links > MAX_LINKS) {
                return null;
            }
            String target;
            try {
                target = Files.readSymbolicLink(at).toString();
            } catch (IOException e) {
                return null;
            }
            if (target.startsWith("/")) {
                done.clear();
            }
            push(todo, target);
        }
        if (done.size() > MAX_COMPONENTS) {
            return null;
        }
        return "/" + String.join("/", done);
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
