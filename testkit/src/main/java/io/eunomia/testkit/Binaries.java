package io.eunomia.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the host binaries the fixtures need. A missing binary is a loud failure naming the Debian
 * package to install: fixtures never skip silently.
 */
public final class Binaries {
    private static final List<String> DIRS =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private Binaries() {
    }

    /**
     * Absolute path of an executable found on {@code PATH} or in the usual system directories.
     *
     * @throws MissingBinaryException naming {@code debianPackage} when it is not installed
     */
    public static Path require(String name, String debianPackage) {
        Path found = find(name);
        if (found == null) {
            throw new MissingBinaryException(name, debianPackage);
        }
        return found;
    }

    /** Absolute path of an executable, or {@code null}. */
    public static Path find(String name) {
        String path = System.getenv("PATH");
        java.util.LinkedHashSet<String> dirs = new java.util.LinkedHashSet<>();
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(DIRS);
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        return null;
    }

    /** A required binary is not installed. */
    public static final class MissingBinaryException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public MissingBinaryException(String name, String debianPackage) {
            super("'" + name + "' is required by this test fixture but is not installed: "
                    + "run 'apt-get install " + debianPackage + "' (Debian package " + debianPackage + ")");
        }

        public MissingBinaryException(String message) {
            super(message);
        }
    }
}
