package io.eunomia.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A process in a root of the test's making (rootswap.c: its own mount namespace, chroot), that
 * either holds still or swaps the root's /d with /d_swap (a directory and an absolute symlink) as
 * fast as it can: for tests that look into a task's root through /proc/PID/root while it changes.
 */
public final class RootSwapProbe implements AutoCloseable {
    private final Process process;

    private RootSwapProbe(Process process) {
        this.process = process;
    }

    /** Starts the probe in root and waits until it runs there. */
    public static RootSwapProbe start(Path root, boolean swap) throws IOException {
        Path bin = StaticPrograms.build("rootswap");
        Process p = ReadyProcess.start(new ProcessBuilder(bin.toString(), root.toString(), swap ? "swap" : "hold").redirectErrorStream(true),
                "ready", "rootswap did not start in " + root);
        RootSwapProbe probe = new RootSwapProbe(p);
        Cleanup.register(probe);
        return probe;
    }

    /**
     * The static program itself, for a container to run as its process: {@code rootswap . swap}
     * swaps its own root's /d and /d_swap without a namespace or chroot of its own.
     */
    public static Path program() {
        return StaticPrograms.build("rootswap");
    }

    public int pid() {
        return (int) process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        Cleanup.unregister(this);
        process.destroyForcibly();
        try {
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
