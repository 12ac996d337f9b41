package io.eunomia.engine.cli;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.format.EventJson;
import io.eunomia.rules.EventText;
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

    @Option(names = "--type", split = ",", paramLabel = "TYPE", converter = Converters.Event.class,
            description = "Event types to show: exec, exit, fork, file, net, cap, syscall (default: all).")
    List<EventType> types = new ArrayList<>();

    @Option(names = "--pid", paramLabel = "N", converter = Converters.PositiveOrZero.class,
            description = "Only this process (filtered in the kernel).")
    int pid;

    @Option(names = "--comm", paramLabel = "NAME", description = "Only processes with this command name (at most 15 characters, as the kernel keeps it).")
    String comm;

    @Option(names = "--mntns", paramLabel = "N", converter = Converters.Positive.class,
            description = "Only this mount namespace (filtered in the kernel).")
    long mntns;

    @Option(names = "--container", paramLabel = "NAME|ID",
            description = "Only this container (name, id or id prefix; it may start later); 'host' for host processes.")
    String container;

    @Option(names = "--path-prefix", paramLabel = "PATH",
            description = "File events: only paths under this prefix (absolute; filtered in the kernel; repeatable).")
    List<String> pathPrefixes = new ArrayList<>();

    @Option(names = "--module-fallback",
            description = "On kernels without module support, still report init/finit/delete_module attempts "
                    + "as syscall events (costs ~50 ns on every syscall).")
    boolean moduleFallback;

    @picocli.CommandLine.Mixin
    Compat32Option compat32 = new Compat32Option();

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", converter = Converters.TextOrJson.class,
            description = "text for people, json for one event per line (replayable by 'eunomia rules test'). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--duration", paramLabel = "SECONDS", converter = Converters.Seconds.class,
            description = "Stop after this many seconds (default: until Ctrl-C).")
    Double durationSeconds;

    @Option(names = "--max-events", paramLabel = "N", converter = Converters.Positive.class,
            description = "Stop after printing N events.")
    Long maxEvents;

    /** Longest command name the kernel keeps (TASK_COMM_LEN - 1): a longer --comm could never match. */
    private static final int COMM_MAX = 15;

    @Override
    public Integer call() throws Exception {
        Set<EventType> wanted = types.isEmpty() ? EnumSet.allOf(EventType.class) : EnumSet.copyOf(types);
        Set<Sensor> sensors = Sensor.forTypes(wanted);
        if (sensors.isEmpty()) {
            throw usage("no sensor on this build produces " + wanted + (wanted.contains(EventType.VIOLATION)
                    ? "; profile violations exist only while profiles are enforced: eunomia enforce --format json" : ""));
        }
        SensorOptions options = options(wanted, sensors);
        boolean json = format.equals("json");
        PrintStream err = System.err;

        EventJson codec = new EventJson();
        EventText text = new EventText();
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        AtomicLong printed = new AtomicLong();
        AtomicLong ofContainer = new AtomicLong();
        Predicate<Event> inContainer = e -> {
            if (container == null) {
                return true;
            }
            boolean match = e.process().container().matches(container);
            if (match) {
                ofContainer.incrementAndGet();
            }
            return match;
        };
        Predicate<Event> filter = e -> wanted.contains(e.type()) && (comm == null || comm.equals(e.process().comm()))
                && inContainer.test(e);

        StopSignal stop = new StopSignal(Duration.ofSeconds(15));
        KernelSensors stream;
        try {
            stream = KernelSensors.start(options);
        } catch (RuntimeException | Error e) {
            stop.close(); // else the exit that reports the failure waits the hook's whole grace period
            throw e;
        }
        try {
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
            sayWhatIsAwaited(err, stream);
            awaitStop(stop, out);
            stream.stop(); // no more events: the totals below are final
            flush(out);
            printTotals(err, stream.stats(), maxEvents == null ? printed.get() : Math.min(printed.get(), maxEvents),
                    stream.unresolvedEvents());
            if (container != null && ofContainer.get() == 0) {
                err.println("eunomia: no event came from a container matching '" + container
                        + "' ('eunomia containers' lists the containers and their names)");
            }
            err.flush();
        } finally {
            // Returns at once: the kernel finishes detaching the syscall tracepoints by itself.
            stream.closeInBackground();
            stop.close(); // release a waiting Ctrl-C hook
        }
        return 0;
    }

    /** Checks the filters against each other and the kernel's limits: a filter that can never match is a mistake. */
    private SensorOptions options(Set<EventType> wanted, Set<Sensor> sensors) {
        if (!pathPrefixes.isEmpty() && !wanted.contains(EventType.FILE)) {
            throw usage("--path-prefix filters file events, and --type " + typeList(wanted)
                    + " has none: add file to --type, or leave out --path-prefix");
        }
        if (moduleFallback && !wanted.contains(EventType.SYSCALL)) {
            throw usage("--module-fallback reports syscall events, and --type " + typeList(wanted)
                    + " has none: add syscall to --type, or leave out --module-fallback");
        }
        if (comm != null && comm.length() > COMM_MAX) {
            throw usage("--comm '" + comm + "' can never match: the kernel keeps the first " + COMM_MAX
                    + " characters of a command name; use --comm '" + comm.substring(0, COMM_MAX) + "'");
        }
        if (pid > 0 && ProcessHandle.of(pid).isEmpty()) {
            throw usage("--pid " + pid + ": no such process ('ps' lists them; for a container use --container)");
        }
        try {
            return compat32.apply(SensorOptions.of(sensors).withPid(pid).withMntns(mntns).withPathPrefixes(pathPrefixes)
                    .withModuleFallback(moduleFallback));
        } catch (IllegalArgumentException e) {
            throw usage("--path-prefix: " + e.getMessage() + "; e.g. --path-prefix /etc");
        }
    }

    /** A container or namespace filter that matches nothing yet: say we wait for it rather than print nothing. */
    private void sayWhatIsAwaited(PrintStream err, KernelSensors stream) {
        if (container != null && !container.equals("host")) {
            var running = RunningContainers.of(stream.containers()).stream()
                    .map(RunningContainers.Running::container).filter(c -> c.matches(container)).toList();
            if (running.isEmpty()) {
                err.println("eunomia: no running container matches '" + container + "' (name, id or id prefix of "
                        + "12+ characters); waiting for one to start ('eunomia containers' lists them)");
            } else {
                err.println("eunomia: container " + running.stream().map(c -> c.name() + " (" + c.shortId() + ")")
                        .collect(Collectors.joining(", ")));
            }
        }
        if (mntns > 0 && ProcessHandle.allProcesses()
                .noneMatch(p -> Namespaces.mountNamespace(p.pid()).orElse(-1) == mntns)) {
            err.println("eunomia: no process is in mount namespace " + mntns + " now; waiting for one "
                    + "(readlink /proc/PID/ns/mnt shows a process's)");
        }
    }

    private static String typeList(Set<EventType> types) {
        return types.stream().map(EventType::cliName).collect(Collectors.joining(","));
    }

    private CommandFailure usage(String message) {
        return new CommandFailure(io.eunomia.engine.Main.EXIT_USAGE, message);
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
