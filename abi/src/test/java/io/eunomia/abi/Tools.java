package io.eunomia.abi;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs the host tools the cross-checks compare against. */
final class Tools {
    private Tools() {}

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin")); // capsh lives in sbin, which a non-root PATH may lack
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).findFirst();
    }

    static Path require(String program, String installHint) {
        return onPath(program).orElseGet(() -> fail(program + " not found on PATH: " + installHint));
    }

    /** Runs a command, returns its stdout; fails the test on a non-zero exit or a hang. */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + command);
            }
            if (p.exitValue() != 0) {
                fail("exit " + p.exitValue() + ": " + command + "\n" + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return fail("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted: " + command, e);
        }
    }

    /**
     * {@code scmp_sys_resolver -a ARCH QUERY} for every query (it takes one per call), a few at a time:
     * query -> printed answer, in query order.
     */
    static Map<String, String> resolveAll(Arch arch, List<String> queries) {
        Path resolver = require("scmp_sys_resolver", "apt-get install seccomp (libseccomp's tools)");
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            Map<String, Future<String>> futures = new LinkedHashMap<>();
            for (String q : queries) {
                futures.put(q, pool.submit(() -> run(List.of(resolver.toString(), "-a", arch.id(), q))));
            }
            Map<String, String> answers = new LinkedHashMap<>();
            for (var e : futures.entrySet()) {
                answers.put(e.getKey(), e.getValue().get());
            }
            return answers;
        } catch (Exception e) {
            return fail("scmp_sys_resolver -a " + arch.id() + " failed", e);
        }
    }
}
