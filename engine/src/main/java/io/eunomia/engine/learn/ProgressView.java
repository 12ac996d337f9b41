package io.eunomia.engine.learn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.profiler.Learner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code eunomia learn} shows while it runs: a table redrawn in place on a terminal, or JSON
 * lines (one per profile when it changed, and at least every {@link #HEARTBEAT}).
 */
public abstract sealed class ProgressView permits ProgressView.Table, ProgressView.JsonLines {
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    final PrintStream out;

    ProgressView(PrintStream out) {
        this.out = out;
    }

    public static ProgressView table(PrintStream out) {
        return new Table(out);
    }

    public static ProgressView jsonLines(PrintStream out) {
        return new JsonLines(out);
    }

    /** The state now; {@code waiting} lists what is asked for and not seen yet. */
    public abstract void show(List<Learner.Progress> progress, List<String> waiting, Duration elapsed);

    public abstract void checkpoint(String profile, Path file);

    /** Something learning could not do (full kernel maps, dropped events); also said on stderr. */
    public abstract void warning(String message);

    public abstract void done(List<Learner.Progress> progress, Map<String, Path> files, String why);

    static String age(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
    }

    /** A table for people, redrawn in place. */
    static final class Table extends ProgressView {
        private static final String ROW = "%-24s %-28s %-22s %5s %8s %6s %6s %9s%n";
        private int lastLines;

        Table(PrintStream out) {
            super(out);
        }

        @Override
        public void show(List<Learner.Progress> progress, List<String> waiting, Duration elapsed) {
            StringBuilder b = new StringBuilder();
            if (lastLines > 0) {
                b.append("\033[").append(lastLines).append("F\033[J");   // back to the table's first line, clear below
            }
            int lines = 0;
            b.append(String.format("learning for %s%s%n", age(elapsed),
                    waiting.isEmpty() ? "" : "; waiting for " + String.join(", ", waiting)));
            lines++;
            b.append(String.format(ROW, "PROFILE", "IMAGE", "RUNTIME", "CTRS", "SYSCALLS", "CAPS", "EXECS", "LAST NEW"));
            lines++;
            for (Learner.Progress p : progress) {
                b.append(String.format(ROW, cut(p.name(), 24), cut(p.image(), 28), cut(p.runtime(), 22),
                        p.activeContainers() + "/" + p.containerIds().size(), p.syscalls() + "+" + p.runtimeSyscalls(),
                        p.capabilities(), p.executables(), age(p.sinceLastNew()) + " ago"));
                lines++;
            }
            out.print(b);
            out.flush();
            lastLines = lines;
        }

        @Override
        public void checkpoint(String profile, Path file) {
            // the table says enough; checkpoints are listed at the end
        }

        @Override
        public void warning(String message) {
            // on stderr, where it does not break the table
        }

        @Override
        public void done(List<Learner.Progress> progress, Map<String, Path> files, String why) {
            out.printf("stopped: %s%n", why);
            for (Learner.Progress p : progress) {
                Path f = files.get(p.name());
                out.printf("%s: %d syscalls (+%d runtime set-up), %d capabilities, %d executables%s%n", p.name(),
                        p.syscalls(), p.runtimeSyscalls(), p.capabilities(), p.executables(),
                        f == null ? " (not written)" : " -> " + f);
            }
            if (progress.isEmpty()) {
                out.println("nothing learned: no selected container ran");
            }
            out.flush();
        }

        private static String cut(String s, int n) {
            return s.length() <= n ? s : s.substring(0, n - 1) + "…";
        }
    }

    /** One JSON object per line, for programs. */
    static final class JsonLines extends ProgressView {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final Map<String, Integer> lastItems = new HashMap<>();
        private Duration lastHeartbeat = HEARTBEAT.negated();

        JsonLines(PrintStream out) {
            super(out);
        }

        @Override
        public void show(List<Learner.Progress> progress, List<String> waiting, Duration elapsed) {
            boolean heartbeat = elapsed.minus(lastHeartbeat).compareTo(HEARTBEAT) >= 0;
            if (heartbeat) {
                lastHeartbeat = elapsed;
            }
            if (heartbeat && !waiting.isEmpty()) {
                ObjectNode n = JSON.createObjectNode().put("type", "waiting").put("elapsedSeconds", elapsed.toSeconds());
                waiting.forEach(n.putArray("containers")::add);
                line(n);
            }
            for (Learner.Progress p : progress) {
                Integer before = lastItems.put(p.name(), p.items());
                if (heartbeat || before == null || before != p.items()) {
                    line(progress(p).put("elapsedSeconds", elapsed.toSeconds()));
                }
            }
        }

        private static ObjectNode progress(Learner.Progress p) {
            ObjectNode n = JSON.createObjectNode().put("type", "progress").put("profile", p.name()).put("image", p.image())
                    .put("runtime", p.runtime()).put("activeContainers", p.activeContainers());
            p.containerIds().forEach(n.putArray("containerIds")::add);
            return n.put("syscalls", p.syscalls()).put("runtimeSyscalls", p.runtimeSyscalls())
                    .put("capabilities", p.capabilities()).put("executables", p.executables()).put("items", p.items())
                    .put("secondsSinceLastNew", p.sinceLastNew().toSeconds());
        }

        @Override
        public void checkpoint(String profile, Path file) {
            line(JSON.createObjectNode().put("type", "checkpoint").put("profile", profile).put("file", file.toString()));
        }

        @Override
        public void warning(String message) {
            line(JSON.createObjectNode().put("type", "warning").put("message", message));
        }

        @Override
        public void done(List<Learner.Progress> progress, Map<String, Path> files, String why) {
            for (Learner.Progress p : progress) {
                ObjectNode n = progress(p).put("type", "done");
                Path f = files.get(p.name());
                n.put("file", f == null ? null : f.toString());
                line(n);
            }
            line(JSON.createObjectNode().put("type", "stopped").put("reason", why));
        }

        private void line(ObjectNode n) {
            out.println(n.toString());
            out.flush();
        }
    }
}
