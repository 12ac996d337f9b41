package io.eunomia.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's wrk, one thread, 20 connections: what it served and whether anything went wrong. */
final class Wrk {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern COUNT = Pattern.compile("(?m)^\\s*([0-9]+) requests in ");
    private static final Pattern TROUBLE = Pattern.compile("(?m)^\\s*(Socket errors:.*|Non-2xx or 3xx responses:.*)$");

    record Result(double requestsPerSecond, long requests) {
        double seconds() {
            return requests / requestsPerSecond;
        }
    }

    private Wrk() {}

    /**
     * @param closeEach a new connection per request ("Connection: close": accept, connect, close each time)
     * @param launcher  what wrk is started under (e.g. {@code taskset -c 0}); empty for nothing
     */
    static Result run(String url, int seconds, boolean closeEach, List<String> launcher) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of("wrk", "-t1", "-c20", "-d" + seconds + "s"));
        if (closeEach) {
            cmd.addAll(List.of("-H", "Connection: close"));
        }
        cmd.add(url);
        Process wrk = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = wrk.waitFor();
        Matcher rate = RATE.matcher(out);
        Matcher count = COUNT.matcher(out);
        Matcher trouble = TROUBLE.matcher(out);
        if (rc != 0 || !rate.find() || !count.find() || trouble.find()) {
            throw new IOException(String.join(" ", cmd) + " (exit " + rc + ") said: " + out.strip());
        }
        return new Result(Double.parseDouble(rate.group(1)), Long.parseLong(count.group(1)));
    }
}
