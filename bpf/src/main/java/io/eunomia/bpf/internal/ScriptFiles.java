package io.eunomia.bpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Whether an interpreter's script argument is a file it can run: a regular file (or a symlink,
 * which the interpreter follows) in the process's root, looked at through {@code /proc/PID/root}.
 * A process already gone cannot be asked (a short script ends before its exec is decoded): its
 * argument counts, since the options already said it names a file.
 */
final class ScriptFiles {
    private ScriptFiles() {}

    static boolean isProgramFile(int pid, String path) {
        Path root = Path.of("/proc", Integer.toString(pid), "root");
        if (!Files.isDirectory(root)) {
            return true;
        }
        try {
            // Only a type check: the file is never opened or read.
            BasicFileAttributes a = Files.readAttributes(root.resolve(path.substring(1)), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() || a.isSymbolicLink();
        } catch (IOException e) {
            // The process may have ended between the two looks (its root goes with it): then,
            // as above, the argument counts. Otherwise no such file (sh fails on it).
            return !Files.isDirectory(root);
        }
    }
}
