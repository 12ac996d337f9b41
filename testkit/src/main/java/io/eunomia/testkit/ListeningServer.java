package io.eunomia.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a Prometheus-family server (Prometheus, Alertmanager: their web listener logs
 * {@code msg="Listening on" address=127.0.0.1:PORT}) on a port of 127.0.0.1 without the race of
 * picking a free port and handing it over: asked for port 0 the server binds one the kernel picks
 * and reports it in its own log; asked for a given port that is taken meanwhile (its log says
 * "address already in use" and it exits), it is started again on port 0.
 */
final class ListeningServer {
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");
    private static final String IN_USE = "address already in use";

    /** A running server and the port it listens on. */
    record Started(ServerProcess process, int port) {}

    private ListeningServer() {}

    /**
     * @param command   the server's command line for a port (0: the kernel's choice)
     * @param firstPort the port to ask for first (0: none in particular)
     * @param retry     whether a first port found taken is given up for the kernel's choice (false:
     *                  the port must be that one, e.g. a restart that senders know the address of)
     * @param ready     the URL path that answers 200 once the server is ready ("/-/ready")
     */
    static Started start(String name, IntFunction<ProcessBuilder> command, Path log, int firstPort, boolean retry,
                         String ready, Duration timeout) {
        int port = firstPort;
        while (true) {
            int from = Cmd.read(log).length();   // the log is appended to: only this start's lines count
            ServerProcess p = ServerProcess.start(name, command.apply(port), log);
            int bound = awaitListening(p, log, from, timeout);
            if (bound > 0) {
                p.awaitReady(() -> Procs.httpOk("http://127.0.0.1:" + bound + ready), timeout);
                return new Started(p, bound);
            }
            String said = Cmd.read(log).substring(from);
            if (retry && port != 0 && said.contains(IN_USE)) {
                port = 0;   // taken meanwhile by someone else: the kernel picks one
                continue;
            }
            throw new IllegalStateException(name + " did not start on 127.0.0.1:" + port + " (exit "
                    + p.process().exitValue() + "):\n" + p.logTail());
        }
    }

    /** The port the server says it listens on; 0 when it exited first. */
    private static int awaitListening(ServerProcess p, Path log, int from, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = Cmd.read(log);
            Matcher m = LISTENING.matcher(text.length() > from ? text.substring(from) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.process().isAlive()) {
                return 0;
            }
            if (System.nanoTime() > deadline) {
                p.stop(Duration.ofSeconds(5));
                throw new IllegalStateException(p.name() + " did not say where it listens within " + timeout + ":\n"
                        + p.logTail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                p.stop(Duration.ofSeconds(5));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + p.name(), e);
            }
        }
    }
}
