package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading and linting a Prometheus scrape in tests. */
final class Scrapes {
    private Scrapes() {}

    /** The value of series (a regex of its name and labels) in body; fails when it is not there. */
    static double value(String body, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(body);
        assertThat(m.find()).as(series + " in\n" + body).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Fails unless Prometheus' own promtool accepts body. */
    static void assertPromtoolAccepts(String body) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(body.getBytes(StandardCharsets.UTF_8));
        }
        String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool check metrics:\n" + lint).isZero();
    }
}
