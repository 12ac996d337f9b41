package io.eunomia.engine.enforce;

import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
                cli.awaitWatching(mark, name, "in mount namespace " + mountNamespace(runc, name, run), ProfileFixtures.LONG_WAIT);
            } finally {
                Files.createFile(dir.resolve("go"));
            }
            return run.get(ProfileFixtures.LONG_WAIT.plus(Duration.ofMinutes(2)).toSeconds(), TimeUnit.SECONDS);
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }

    /**
     * The mount namespace number of this run's container (its init waits at the gate): the state of
     * the id is this run's, since the run before of the same name ended, state removed, before it.
     */
    private static long mountNamespace(Runc runc, String name, CompletableFuture<Result> run) throws Exception {
        long deadline = System.nanoTime() + ProfileFixtures.LONG_WAIT.toNanos();
        while (System.nanoTime() < deadline && !run.isDone()) {
            if (runc.exists(name)) {
                try {
                    long pid = runc.state(name).path("pid").asLong();
                    if (pid > 0) {
                        String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString();  // mnt:[N]
                        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
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
