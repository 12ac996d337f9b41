package io.eunomia.engine.pipeline;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.Recorder;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Real host processes for the live rule tests, and the alerts a live monitor raised about them. */
final class LiveProcesses {
    static final String NOBODY = "65534";
    /** A test rule (YAML) that shows a chmod below /etc by whatever name it was made: fd.name and the name given. */
    static final String CHMOD_BELOW_ETC_RULE = """
            - rule: Test chmod below etc
              desc: chmod of a file below /etc, by any route
              condition: evt.type = chmod and fd.name startswith /etc/
              output: "chmod below etc (file=%fd.name given=%fd.name_given)"
              priority: WARNING
            """;

    private LiveProcesses() {}

    /** Runs a command to its end (no input, output discarded) and returns its pid. */
    static long run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        p.waitFor();
        return p.pid();
    }

    /** A command that ran to its end: exit status, output (stderr too) and pid. */
    record Ran(int exit, String output, long pid) {}

    /** Runs a command to its end (no input, 30 s at most) and keeps its output. */
    static Ran runToEnd(List<String> cmd) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] o = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 30 s");
        }
        return new Ran(p.exitValue(), new String(o, java.nio.charset.StandardCharsets.UTF_8), p.pid());
    }

    /** {@code runc exec} with options (--cap, --user, ...) in container id, to its end. */
    static Ran runcExec(io.eunomia.testkit.Runc runc, String id, List<String> options, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("exec"));
        a.addAll(options);
        a.add(id);
        a.addAll(List.of(args));
        return runToEnd(runc.command(a));
    }

    /** A fresh temporary directory that other users (a container's, nobody) may read and run from. */
    static java.nio.file.Path readableTempDir(String prefix) throws java.io.IOException {
        return readable(java.nio.file.Files.createTempDirectory(prefix));
    }

    /** The same below parent (a file system of its own choice: hard links cannot cross one). */
    static java.nio.file.Path readableTempDir(java.nio.file.Path parent, String prefix) throws java.io.IOException {
        return readable(java.nio.file.Files.createTempDirectory(parent, prefix));
    }

    /** rwxr-xr-x on the file: others may read and run it. */
    static java.nio.file.Path readable(java.nio.file.Path file) throws java.io.IOException {
        return java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** An OCI config edit: these capabilities added to runc's defaults in the bounding, effective and permitted sets. */
    static void addCapabilities(com.fasterxml.jackson.databind.node.ObjectNode config, String... caps) {
        var sets = (com.fasterxml.jackson.databind.node.ObjectNode) config.get("process").get("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            var a = (com.fasterxml.jackson.databind.node.ArrayNode) sets.get(set);
            for (String cap : caps) {
                a.add(cap);
            }
        }
    }

    /** An OCI config edit: these capabilities in the bounding, effective and permitted sets. */
    static void withCapabilities(com.fasterxml.jackson.databind.node.ObjectNode config, List<String> caps) {
        var sets = (com.fasterxml.jackson.databind.node.ObjectNode) config.get("process").get("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            var a = sets.putArray(set);
            caps.forEach(a::add);
        }
    }

    /** Compiles a C program of the test resources, statically, into dir/name; returns its path. */
    static java.nio.file.Path compile(java.nio.file.Path dir, String resource, String name) throws Exception {
        java.nio.file.Path src = dir.resolve(name + ".c");
        try (java.io.InputStream in = LiveProcesses.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("no test resource " + resource);
            }
            java.nio.file.Files.copy(in, src);
        }
        java.nio.file.Path bin = dir.resolve(name);
        Ran gcc = runToEnd(List.of("gcc", "-static", "-O1", "-o", bin.toString(), src.toString()));
        if (gcc.exit() != 0) {
            throw new AssertionError("gcc " + resource + ": " + gcc.output());
        }
        return bin;
    }

    /** Programs named as Falco's lists name servers and daemons (nginx, sshd) and one that is not: copies of dash (comm = file name). */
    static void serverLookalikes(java.nio.file.Path dir) throws java.io.IOException {
        for (String name : List.of("nginx", "notaserver", "sshd")) {
            java.nio.file.Files.copy(java.nio.file.Path.of("/usr/bin/dash"), dir.resolve(name),
                    java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /** An OCI config edit: the host's file or directory bound read-only into the container at dest. */
    static void bindReadOnly(com.fasterxml.jackson.databind.node.ObjectNode config, java.nio.file.Path source, String dest) {
        var m = ((com.fasterxml.jackson.databind.node.ArrayNode) config.get("mounts")).addObject();
        m.put("destination", dest).put("type", "bind").put("source", source.toString());
        m.putArray("options").add("rbind").add("ro");
    }

    /** Deletes a directory tree a test made (null: nothing). */
    static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
        if (dir == null) {
            return;
        }
        try (var s = java.nio.file.Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The same as the unprivileged user nobody. */
    static long runAsNobody(String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    /** An alert about the process started, or about a child of it. */
    static Predicate<Alert> of(long pid) {
        return a -> a.event().process().pid() == pid || a.event().process().ppid() == pid;
    }

    /** The rules that fired about a process since the mark. */
    static List<String> rulesFor(InMemoryOutput out, Recorder.Mark since, long pid) {
        return out.since(since).stream().filter(of(pid)).map(Alert::rule).toList();
    }

    /** Those alerts, one line each, for an assertion's message. */
    static String describe(InMemoryOutput out, Recorder.Mark since, long pid) {
        return out.since(since).stream().filter(of(pid)).map(a -> a.rule() + ": " + a.output())
                .collect(Collectors.joining("\n"));
    }
}
