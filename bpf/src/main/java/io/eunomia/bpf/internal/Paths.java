package io.eunomia.bpf.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Lexical normalisation of paths the kernel assembled from a directory and a user string
 * ("/etc/./x/../shadow" → "/etc/shadow"), so rules match what the user meant. Canonical paths
 * resolved from open files need none. A path the kernel cut short starts with "//" and is kept.
 */
public final class Paths {
    private Paths() {}

    public static String normalize(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || path.startsWith("//")) {
            return path;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast(); // ".." at the root stays at the root
            } else {
                parts.addLast(part);
            }
        }
        return parts.isEmpty() ? "/" : "/" + String.join("/", parts);
    }
}
