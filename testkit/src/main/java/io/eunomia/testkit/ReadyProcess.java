package io.eunomia.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Starts a helper program that says one word as its first line of output once it is set up (stallfs and
 * rootswap "ready", bench's hook_hold "attached") and returns it then. One that says anything else, ends
 * first, or whose line cannot be read (any Throwable: an Error too), is killed and awaited, since what it
 * holds (a mount, attached BPF links) must not outlive the failure; one still running after that (a task
 * the kernel keeps, in D state) is named so in the failure.
 */
public final class ReadyProcess {
    private static final Duration END_WAIT = Duration.ofSeconds(60);

    private ReadyProcess() {}

    /** How the first line is read: the output's (a test reads it its own way, acting on the helper meanwhile). */
    interface FirstLine {
        String read(Process p) throws IOException;
    }

    /**
     * @param failure what the error says first (e.g. "stallfs did not mount at /x"), before what it said
     * @throws IllegalStateException when its first line is not {@code ready}
     */
    public static Process start(ProcessBuilder builder, String ready, String failure) throws IOException {
        return start(builder, ready, failure,
                p -> new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine(), END_WAIT);
    }

    static Process start(ProcessBuilder builder, String ready, String failure, FirstLine firstLine, Duration endWait)
            throws IOException {
        Process p = builder.start();
        String said;
        try {
            said = firstLine.read(p);
        } catch (Throwable e) {
            String left = end(p, endWait);
            if (!left.isEmpty()) {
                e.addSuppressed(new IllegalStateException(failure + ": " + left));
            }
            throw e;
        }
        if (!ready.equals(said)) {
            String left = end(p, endWait);
            throw new IllegalStateException(failure + " (said " + said + ")" + (left.isEmpty() ? "" : "; " + left));
        }
        return p;
    }

    /** Kills p and awaits its end: "" once ended, else what says it is not. */
    private static String end(Process p, Duration wait) {
        p.destroyForcibly();
        try {
            if (p.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "pid " + p.pid() + " not awaited (interrupted)";
        }
        return "pid " + p.pid() + " still running " + wait.toSeconds() + " s after SIGKILL";
    }
}
