package io.eunomia.engine;

import io.eunomia.bpf.Compat32;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test helper: runs the real CLI in its own JVM, as a user would (optionally as another uid). */
public final class EunomiaProcess {
    private EunomiaProcess() {}

    public static ProcessBuilder builder(List<String> prefix, Map<String, String> env, String classpath, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // The test JVM's choice of 32-bit call watching (engine/pom.xml: off) holds for the CLI it starts.
        String compat32 = System.getProperty(Compat32.PROPERTY);
        if (compat32 != null) {
            cmd.add("-D" + Compat32.PROPERTY + "=" + compat32);
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add("io.eunomia.engine.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    /** Reads stderr lines until one contains text (other lines, e.g. "mounted tracefs", may come first). */
    public static String awaitLine(java.io.BufferedReader reader, String text) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.contains(text)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("no line containing '" + text + "'; output was:\n" + seen);
    }

    public static ProcessBuilder builder(String... args) {
        return builder(List.of(), Map.of(), System.getProperty("java.class.path"), args);
    }

    /**
     * A copy of the test class path that any user can read (the originals live under /root),
     * for running the CLI as an unprivileged uid.
     */
    static String worldReadableClasspath(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve(i++ + "-" + src.getFileName());
            copyTree(src, dst);
            entries.add(dst.toString());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        if (Files.isDirectory(src)) {
            try (Stream<Path> all = Files.walk(src)) {
                for (Path p : all.toList()) {
                    Path target = dst.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } else {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
