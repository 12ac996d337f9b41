package io.eunomia.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Starts a helper program that says one word as its first line of output once it is set up (stallfs and
 * rootswap "ready", bench's hook_hold "attached") and returns it then. One that says anything else, or
 * ends first, is killed and awaited, since what it holds (a mount, attached BPF links) must not outlive
 * the failure.
 */
public final class ReadyProcess {
    private ReadyProcess() {}

    /**
     * @param failure what the error says first (e.g. "stallfs did not mount at /x"), before what it said
     * @throws IllegalStateException when its first line is not {@code ready}
     */
    public static Process start(ProcessBuilder builder, String ready, String failure) throws IOException {
        Process p = builder.start();
        String said;
        try {
            said = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException | RuntimeException e) {
            end(p);
            throw e;
        }
        if (!ready.equals(said)) {
            end(p);
            throw new IllegalStateException(failure + " (said " + said + ")");
        }
        return p;
    }

    private static void end(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
