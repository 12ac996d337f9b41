package io.eunomia.event.path;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Lexical clean-up of the absolute paths the kernel builds from a directory and a user string
 * ("/etc" + "/" + "./x/../shadow"): drops "." and empty components, applies "..". It does not
 * touch the file system, so a ".." after a symlink is taken lexically, as the kernel could not
 * have resolved it at that point either.
 */
public final class PathNormalizer {
    private PathNormalizer() {}

    /**
     * The normalised form of path. Left as given: the empty string, relative paths (their
     * directory was unknown) and paths starting with "//", which the kernel uses to mark a path
     * it had to cut (too deep or too long): its first components are missing, so ".." cannot be
     * applied safely.
     */
    public static String normalize(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || path.startsWith("//")) {
            return path;
        }
        if (!needsWork(path)) {
            return path;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                parts.pollLast();  // "/.." is "/"
            } else {
                parts.addLast(c);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** Resolves target against the directory holding link, as the kernel does when it follows the link. */
    public static String resolveSymlinkTarget(String linkPath, String target) {
        if (target.isEmpty() || target.charAt(0) == '/' || linkPath.isEmpty() || linkPath.charAt(0) != '/'
                || linkPath.startsWith("//")) {
            return normalize(target);
        }
        String link = normalize(linkPath);
        String dir = link.substring(0, link.lastIndexOf('/') + 1);
        return normalize(dir + target);
    }

    /** Fast path: kernel-resolved paths are usually clean already. */
    private static boolean needsWork(String p) {
        int n = p.length();
        if (n > 1 && p.charAt(n - 1) == '/') {
            return true;
        }
        for (int i = 0; i < n; i++) {
            if (p.charAt(i) != '/') {
                continue;
            }
            if (i + 1 < n) {
                char c = p.charAt(i + 1);
                if (c == '/') {
                    return true;
                }
                if (c == '.') {
                    int end = i + 2;
                    if (end < n && p.charAt(end) == '.') {
                        end++;
                    }
                    if (end == n || p.charAt(end) == '/') {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
