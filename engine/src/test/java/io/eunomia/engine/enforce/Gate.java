package io.eunomia.engine.enforce;

import io.eunomia.libbpf.Libc;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Holds a container's workload until the enforcing CLI watches the container, so that what the
 * workload does next is judged at the act whatever the load: the workload waits for /gate/go (a
 * host directory mounted at /gate), which the test creates once the CLI logged the classification.
 * A fixed sleep instead raced classification on a loaded machine.
 */
final class Gate {
    /** A shell workload's prefix: learned calls only (a stat, and sleep as the learned workload has it). */
    static final String SHELL = "until [ -e /gate/go ]; do sleep 0.1; done && ";

    private Gate() {}

    /**
     * Runs the container to its end in the background, waits until cli watches it, opens its gate
     * (also when the wait failed, so the container ends) and returns how it ended.
     */
    static Result runWhenWatched(Runc runc, EnforcingCli cli, String name, ContainerSpec spec) throws Exception {
        Path dir = Files.createTempDirectory("eunomia-gate-");
        try {
            ContainerSpec gated = spec.withConfigEdit(cfg -> {
                var m = cfg.withArray("mounts").addObject();
                m.put("destination", "/gate").put("type", "bind").put("source", dir.toString());
                m.putArray("options").add("bind").add("ro");
            });
            int mark = cli.logMark();
            CompletableFuture<Result> run = CompletableFuture.supplyAsync(
                    () -> runc.run(name, gated, ProfileFixtures.LONG_WAIT.plus(Duration.ofMinutes(1))));
            try {
                cli.awaitWatching(mark, name, mountNamespace(runc, name, run), ProfileFixtures.LONG_WAIT);
            } finally {
                Files.createFile(dir.resolve("go"));
            }
            return run.get(ProfileFixtures.LONG_WAIT.plus(Duration.ofMinutes(2)).toSeconds(), TimeUnit.SECONDS);
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }

    /**
     * How the CLI's watching line ends for this run's container (its init waits at the gate): "in
     * mount namespace N id I". The state of the name is this run's, since the run before of the same
     * name ended, state removed, before it. The number alone cannot tell the two runs apart: the
     * kernel gives a freed number to the next namespace, so the run before, classified late (after
     * the mark), logged the same "in mount namespace N" and opened the gate early (CI and here under
     * load: the variant ran unkilled, exit 0). The id is never reused.
     */
    private static String mountNamespace(Runc runc, String name, CompletableFuture<Result> run) throws Exception {
        long deadline = System.nanoTime() + ProfileFixtures.LONG_WAIT.toNanos();
        while (System.nanoTime() < deadline && !run.isDone()) {
            if (runc.exists(name)) {
                try {
                    long pid = runc.state(name).path("pid").asLong();
                    if (pid > 0) {
                        String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString();  // mnt:[N]
                        long number = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
                        // Empty on kernels before 6.8, which have no ids: the line then ends with the number.
                        OptionalLong id = Libc.mountNamespaceId(pid);
                        return "in mount namespace " + number + (id.isPresent() ? " id " + id.getAsLong() : "");
                    }
                } catch (RuntimeException | java.io.IOException e) {
                    // created but not yet started, or between state and readlink: ask again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("container " + name + " never ran its init within " + ProfileFixtures.LONG_WAIT
                + (run.isDone() ? ": it ended first: " + run.getNow(null) : ""));
    }
}
