package io.eunomia.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Host process facts read from {@code /proc}. */
public final class Procs {
    private Procs() {
    }

    /**
     * True when the process exists and is not a zombie. (Containers started detached are reparented
     * to the host's init; where that init does not reap, a killed container lingers as a zombie,
     * which {@link ProcessHandle#isAlive()} still reports as alive.)
     */
    public static boolean isRunning(long pid) {
        String state = state(pid);
        return !state.equals("Z") && !state.equals("X") && !state.equals("gone");
    }

    /** The process's state letter as /proc/PID/stat shows it (R, S, D, T for stopped, Z, ...); "gone" when there is none. */
    public static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return String.valueOf(stat.charAt(stat.lastIndexOf(')') + 2));
        } catch (IOException e) {
            return "gone";
        }
    }

    /** The process's state sampled every {@code everyMillis} until it exits (e.g. to prove it was never stopped). */
    public static List<String> statesUntilExit(Process p, long everyMillis) throws InterruptedException {
        List<String> states = new java.util.ArrayList<>();
        while (p.isAlive()) {
            states.add(state(p.pid()));
            Thread.sleep(everyMillis);
        }
        return states;
    }

    /** Pids of the live processes (this one aside) whose command line contains {@code text}. */
    public static List<Long> mentioning(String text) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && isRunning(p.pid()))
                .filter(p -> {
                    try {
                        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                        return new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').contains(text);
                    } catch (IOException gone) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid).toList();
    }

    /** The target of {@code /proc/PID/ns/NAME}, e.g. {@code mnt:[4026531841]}. */
    public static String namespace(long pid, String name) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", name)).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The lines of {@code /proc/PID/cgroup}. */
    public static List<String> cgroupLines(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits up to {@code millis} for the process to stop running. */
    public static boolean awaitExit(long pid, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Whether GET url answers 200 within half a second (a server's readiness endpoint). */
    public static boolean httpOk(String url) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(500);
            return c.getResponseCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** SIGTERM, up to 10 s to exit, then SIGKILL. */
    public static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
