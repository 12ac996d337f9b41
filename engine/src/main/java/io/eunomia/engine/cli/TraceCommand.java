package io.eunomia.engine.cli;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.format.EventJson;
import io.eunomia.event.format.EventText;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.StreamStats;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code eunomia trace}: stream decoded kernel events live until Ctrl-C. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Stream decoded kernel events live. Ctrl-C stops and prints totals (losses included) on stderr.")
public final class TraceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--type", split = ",", paramLabel = "TYPE",
            description = "Event types to show: exec, exit, fork, file, net, cap, syscall (default: all).")
    List<String> types = new ArrayList<>();

    @Option(names = "--pid", paramLabel = "N", description = "Only this process (filtered in the kernel).")
    int pid;

    @Option(names = "--comm", paramLabel = "NAME", description = "Only processes with this command name.")
    String comm;

    @Option(names = "--mntns", paramLabel = "N", description = "Only this mount namespace (filtered in the kernel).")
    long mntns;

    @Option(names = "--container", paramLabel = "NAME|ID",
            description = "Only this container (name, id or id prefix); 'host' for host processes.")
    String container;

    @Option(names = "--path-prefix", paramLabel = "PATH",
            description = "File events: only paths under this prefix (filtered in the kernel; repeatable).")
    List<String> pathPrefixes = new ArrayList<>();

    @Option(names = "--module-fallback",
            description = "On kernels without module support, still report init/finit/delete_module attempts "
                    + "(costs ~50 ns on every syscall).")
    boolean moduleFallback;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "text for people, json for one event per line (replayable by 'eunomia rules test').")
    String format;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double durationSeconds;

    @Option(names = "--max-events", paramLabel = "N", description = "Stop after printing N events.")
    Long maxEvents;

    @Override
    @SuppressWarnings("try") // the stream is closed early on purpose, see below
    public Integer call() throws Exception {
        Set<EventType> wanted = parseTypes();
        Set<Sensor> sensors = Sensor.forTypes(wanted);
        if (sensors.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "no sensor on this build produces " + wanted + (wanted.contains(EventType.VIOLATION)
                            ? "; profile violations exist only while profiles are enforced: eunomia enforce --format json" : ""));
        }
        boolean json = switch (format) {
            case "json" -> true;
            case "text" -> false;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--format must be text or json, not '" + format + "'");
        };
        SensorOptions options = SensorOptions.of(sensors).withPid(pid).withMntns(mntns).withPathPrefixes(pathPrefixes)
                .withModuleFallback(moduleFallback);
        PrintStream err = System.err;

        EventJson codec = new EventJson();
        EventText text = new EventText(codec);
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        AtomicLong printed = new AtomicLong();
        Predicate<Event> filter = e -> wanted.contains(e.type()) && (comm == null || comm.equals(e.process().comm()))
                && (container == null || e.process().container().matches(container));

        // The stop signal closes last: the hook is released only after the sensors are detached.
        try (StopSignal stop = new StopSignal(Duration.ofSeconds(15));
             KernelSensors stream = KernelSensors.start(options)) {
            stream.subscribe(filter, e -> {
                long n = printed.incrementAndGet();
                if (maxEvents != null && n > maxEvents) {
                    return;
                }
                if (!write(out, json ? codec.write(e) : text.format(e))) {
                    stop.request();
                    return;
                }
                if (maxEvents != null && n == maxEvents) {
                    stop.request();
                }
            });
            err.println("eunomia: tracing " + wanted.stream().map(EventType::cliName).collect(Collectors.joining(","))
                    + " (sensors: " + sensors.stream().map(Sensor::objectName).collect(Collectors.joining(","))
                    + ")" + (stream.skippedHooks().isEmpty() ? "" : ", " + stream.skippedHooks().size()
                            + " hooks absent on this kernel (EUNOMIA_LOG=debug lists them)")
                    + "; Ctrl-C to stop");
            awaitStop(stop, out);
            stream.stop(); // no more events: the totals below are final
            flush(out);
            printTotals(err, stream.stats(), maxEvents == null ? printed.get() : Math.min(printed.get(), maxEvents),
                    stream.unresolvedEvents());
            err.flush();
            stream.close(); // detaching takes seconds: after the totals are out
            stop.close(); // release a waiting Ctrl-C hook
        }
        return 0;
    }

    /** Flushes output regularly so a live trace shows up promptly without a write per event. */
    private void awaitStop(StopSignal stop, Writer out) throws InterruptedException {
        long deadline = durationSeconds == null ? Long.MAX_VALUE
                : System.nanoTime() + Duration.ofMillis((long) (durationSeconds * 1000)).toNanos();
        while (!stop.await(100, TimeUnit.MILLISECONDS)) {
            if (!flush(out) || System.nanoTime() >= deadline) {
                break;
            }
        }
    }

    private Set<EventType> parseTypes() {
        if (types.isEmpty()) {
            return EnumSet.allOf(EventType.class);
        }
        EnumSet<EventType> out = EnumSet.noneOf(EventType.class);
        for (String t : types) {
            out.add(EventType.parse(t).orElseThrow(() -> new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "unknown event type '" + t + "'; expected one of exec, exit, fork, file, net, cap, syscall")));
        }
        return out;
    }

    /** False once stdout is gone (e.g. `eunomia trace | head` after head exits): tracing then stops. */
    private boolean write(Writer out, String line) {
        synchronized (out) {
            try {
                out.write(line);
                out.write('\n');
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private boolean flush(Writer out) {
        synchronized (out) {
            try {
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static void printTotals(PrintStream err, StreamStats stats, long printed, long unattributed) {
        String byType = stats.delivered().entrySet().stream()
                .map(e -> e.getKey().cliName() + " " + e.getValue()).collect(Collectors.joining(", "));
        String lost = stats.lost().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        err.printf("eunomia: %d events printed; received %d (%s); lost in kernel %d (%s); undecodable %d;"
                        + " without container identity %d%n",
                printed, stats.totalDelivered(), byType.isEmpty() ? "none" : byType,
                stats.totalLost(), lost.isEmpty() ? "none" : lost, stats.decodeErrors(), unattributed);
    }
}
