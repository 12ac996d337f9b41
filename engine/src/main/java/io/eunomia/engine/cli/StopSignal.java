package io.eunomia.engine.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C / SIGTERM for long-running commands: the JVM shutdown hook asks the command to stop and
 * waits (up to a grace period) for its clean-up — not for the main thread to end, since that
 * thread then calls System.exit, which blocks while the hooks run.
 */
final class StopSignal implements AutoCloseable {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    StopSignal(Duration grace) {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                cleanedUp.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "eunomia-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Stops from inside the command (e.g. --max-events reached). */
    void request() {
        stop.countDown();
    }

    /** Waits up to timeout for a stop; true when one came. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return stop.await(timeout, unit);
    }

    void await() throws InterruptedException {
        stop.await();
    }

    /** Call once cleaned up: releases a running hook, or removes the hook when none runs. */
    @Override
    public void close() {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and has just been released.
        }
    }
}
