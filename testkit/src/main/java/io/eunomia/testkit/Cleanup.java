package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Private temp directories, unmounting and deleting them, and a JVM shutdown hook that closes every
 * fixture a test forgot to close (or could not close because it crashed).
 */
public final class Cleanup {
    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private Cleanup() {
    }

    /** Registers a fixture to be closed at JVM exit if it is still open then. */
    static synchronized void register(AutoCloseable fixture) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "eunomia-testkit-cleanup"));
            hookInstalled = true;
        }
        OPEN.add(fixture);
    }

    static synchronized void unregister(AutoCloseable fixture) {
        OPEN.remove(fixture);
    }

    private static void closeAll() {
        List<AutoCloseable> open;
        synchronized (Cleanup.class) {
            open = new ArrayList<>(OPEN);
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("eunomia-testkit: cleanup of " + open.get(i) + " failed: " + e);
            }
        }
    }

    /**
     * Closes the fixtures a test class opened, in the order given (what runs on a daemon before the
     * daemon), skipping those never opened (null); all are closed even when one fails, whose
     * exception is then thrown with the others' suppressed.
     */
    public static void close(AutoCloseable... fixtures) throws Exception {
        Exception first = null;
        for (AutoCloseable f : fixtures) {
            if (f == null) {
                continue;
            }
            try {
                f.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * A new private directory {@code /tmp/tk-PREFIX-<digits>} (mode 0700). Kept short on purpose: with
     * a podman storage path longer than ~45 characters, podman 4.3's foreground {@code run} waits 20 s
     * ("Exceeded conmon timeout") for every container; unix socket paths are limited to 107 bytes too.
     */
    public static Path newTempDir(String prefix) {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), "tk-" + prefix + "-").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mount points at or below {@code dir}, deepest first, from {@code /proc/self/mountinfo}. */
    public static List<String> mountsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> result = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    String mp = unescape(f[4]);
                    if (mp.equals(prefix) || mp.startsWith(prefix + "/")) {
                        result.add(mp);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        result.sort(Comparator.comparingInt(String::length).reversed());
        return result;
    }

    /**
     * Lazily unmounts everything below {@code dir}, then deletes it with {@code rm -rf
     * --one-file-system} (which never crosses into a file system still mounted inside).
     */
    public static void unmountAndDelete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        for (String mp : mountsUnder(dir)) {
            Cmd.run(List.of("umount", "-l", mp), Map.of(), Duration.ofSeconds(10));
        }
        Result rm = Cmd.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), Map.of(), Duration.ofSeconds(60));
        if (!rm.ok()) {
            System.err.println("eunomia-testkit: could not delete " + dir + ": " + rm.stderr());
        }
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
