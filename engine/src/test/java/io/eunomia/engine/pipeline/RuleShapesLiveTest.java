package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.Cli;
import io.eunomia.engine.alert.Alert;
import io.eunomia.event.format.EventJson;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.rules.Priority;
import io.eunomia.testkit.Recorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shape of condition the YAML language allows, end to end: {@code rules check} accepts the
 * files (with the warnings they deserve), a live monitor with the default pack and real sensors
 * raises the alerts when real processes do the acts (and none for the look-alikes), and
 * {@code rules test} on the events recorded from the same sensors raises exactly what the monitor
 * raised. One monitor run covers every rule.
 *
 * <p>Each rule is about programs of unique names (symlinks to true, cat and python3 named after
 * this run's random tag), so what other processes on the host do never counts. Negatives come
 * first; the last program (the "fence") does an exec, an open, a connect and a setuid, and its
 * alerts arrive only after everything the process, file, socket and syscall sensors delivered
 * before went through the rules.
 */
class RuleShapesLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    /** The rule files: the second overrides and redefines rules of the first and of the default pack. */
    private static final String FIRST = """
            - rule: One type
              desc: one event type
              condition: evt.type = exec and proc.name = {A}
              output: one %proc.name %evt.type
              priority: INFO
            - rule: No type
              desc: no event type at all
              condition: proc.name = {C}
              output: notype %proc.name %evt.type %fd.name
              priority: INFO
            - rule: And then or
              desc: a and b or c, where c names no type
              condition: evt.type = exec and proc.name = {D} or proc.name = {E}
              output: andor %proc.name %evt.type
              priority: INFO
            - rule: Negated
              desc: not and a list of values
              condition: evt.type = open and fd.directory = {DIR}/neg and not proc.name in ({F1})
              output: negated %proc.name %fd.name
              priority: INFO
            - rule: Pack macro
              desc: a macro and a list of the default pack
              condition: shell_exec and proc.name in (shell_names) and proc.args contains {TAG}
              output: packmacro %proc.name %proc.args
              priority: INFO
            - rule: With exceptions
              desc: exceptions as field tuples
              condition: evt.type = open and fd.name startswith {DIR}/exc/
              output: exc %proc.name %fd.name
              priority: INFO
              exceptions:
                - name: allowed_reader
                  fields: [proc.name, fd.name]
                  values:
                    - [{G}, {DIR}/exc/allowed]
            - rule: Overridden here
              desc: overridden by the second file
              condition: evt.type = exec and proc.name in ({I1}, {I2})
              output: own %proc.name
              priority: INFO
            - rule: Replaced
              desc: redefined by the second file
              condition: evt.type = exec and proc.name = {K1}
              output: replaced-old %proc.name
              priority: INFO
            - rule: Several types
              desc: several event types, a syscall argument (the fence)
              condition: >
                proc.name = {B} and (evt.type = exec
                                     or (evt.type = connect and fd.rport = 9)
                                     or (evt.type = open and fd.name = {DIR}/fence)
                                     or (evt.type = setuid and syscall.arg.uid = 4242))
              output: several %proc.name %evt.type %fd.name %syscall.arg.uid
              priority: INFO
            """;
    private static final String SECOND = """
            - rule: Overridden here
              condition: and proc.name != {I2}
              output: overridden %proc.name
              priority: CRITICAL
              override:
                condition: append
                output: replace
                priority: replace
            - rule: Replaced
              desc: the later definition wins
              condition: evt.type = exec and proc.name = {K2}
              output: replaced-new %proc.name
              priority: INFO
            - rule: Execution from /dev/shm
              condition: and proc.name != {J2}
              output: shm override %proc.name
              override:
                condition: append
                output: replace
            """;
    private static final String DRL = """
            package shapes;
            import io.eunomia.event.*;

            rule "DRL without the global line"
              @priority("INFO") @output("drl %proc.name %fd.name") @fileReads("{DIR}/drl/") @missingReads("{DIR}/drl/")
            when
              $e : FileEvent( op == FileOp.OPEN, path == "{DIR}/drl/file" )
            then
              alerts.raise(drools, $e);
            end
            """;

    @TempDir
    Path dir;
    private final String tag = "eu" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 5);
    private final Map<String, String> names = new TreeMap<>();

    /** A program of this run: role letter(s) appended to the tag (at most 15 characters: a comm). */
    private String name(String role) {
        return names.computeIfAbsent(role, r -> tag + r);
    }

    private String fill(String template) {
        String t = template.replace("{DIR}", dir.toString()).replace("{TAG}", tag + "mark");
        for (String role : List.of("A", "B", "C", "D", "E", "F1", "F2", "G", "H", "I1", "I2", "J1", "J2", "K1", "K2", "M")) {
            t = t.replace("{" + role + "}", name(role));
        }
        return t;
    }

    @Test
    void everyShapeChecksFiresLiveAndReplaysAlike() throws Exception {
        Path first = Files.writeString(dir.resolve("10-first.yaml"), fill(FIRST));
        Path second = Files.writeString(dir.resolve("20-second.yaml"), fill(SECOND));
        Path drl = Files.writeString(dir.resolve("30-shapes.drl"), fill(DRL));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String role : List.of("A", "D", "E", "I1", "I2", "K1", "K2")) {
            Files.createSymbolicLink(bin.resolve(name(role)), Path.of("/usr/bin/true"));
        }
        for (String role : List.of("C", "F1", "F2", "G", "H", "M")) {
            Files.createSymbolicLink(bin.resolve(name(role)), Path.of("/bin/cat"));
        }
        Files.createSymbolicLink(bin.resolve(name("B")), Path.of("/usr/bin/python3"));
        for (String sub : List.of("neg", "exc", "drl")) {
            Files.createDirectories(dir.resolve(sub));
        }
        for (Path f : List.of(dir.resolve("neg/file"), dir.resolve("exc/allowed"), dir.resolve("exc/other"), dir.resolve("drl/file"),
                dir.resolve("notype"), dir.resolve("fence"))) {
            Files.writeString(f, "x\n");
        }
        List<Path> shm = List.of(Path.of("/dev/shm", name("J1")), Path.of("/dev/shm", name("J2")));

        // 1. rules check: what monitor will load, accepted, with a warning for each rule broader than it looks.
        Cli.Run check = Cli.run("rules", "check", first.toString(), second.toString(), drl.toString());
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out()).startsWith("64 rules OK (54 from the default pack)\nfile reads the rules need: all (needed by: ")
                .contains("No type").contains("And then or");
        assertThat(check.err().lines().toList()).containsExactly(
                second + ":9:3: warning: rule 'Replaced' is defined again: it replaces the rule at " + first + ":41 (as in Falco); "
                        + "to change that rule on purpose use override: {condition: replace, output: replace, ...}, else give this one another name",
                first + ":8:14: warning: rule 'No type' names no event type: it is evaluated on every event (exec, exit, fork, file, "
                        + "net, cap, syscall, violation) and alerts on each that matches, and it needs every file read; that turns the kernel's "
                        + "read filter off, for all rules, while it is loaded: add evt.type = ... (e.g. evt.type = exec) to say which events it is about",
                first + ":13:14: warning: rule 'And then or' names no event type: it is evaluated on every event (exec, exit, fork, "
                        + "file, net, cap, syscall, violation) and alerts on each that matches, and it needs every file read; that turns the kernel's "
                        + "read filter off, for all rules, while it is loaded: add evt.type = ... (e.g. evt.type = exec) to say which events it is about");

        // 2. monitor: default pack + the files, real sensors; the same warnings are logged at load.
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger julLogger = Logger.getLogger(RuleLoader.class.getName()); // held: JUL loggers are weakly referenced
        julLogger.addHandler(capture);
        InMemoryOutput out = new InMemoryOutput();
        List<Event> recorded = new CopyOnWriteArrayList<>();
        List<Alert> live = new ArrayList<>();
        Set<String> ours = Set.copyOf(names.values());
        String mark = tag + "mark";
        try (Monitor m = Monitor.start(new RuleLoader(List.of(first, second, drl), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o)) {
            assertThat(logged).anySatisfy(l -> assertThat(l).startsWith(first + ":8:14: rule 'No type' names no event type"));
            assertThat(m.startup().fileReads().all()).isTrue();
            // Recorded from the same sensors, as trace --format json would write them.
            m.sensors().subscribe(e -> ours.contains(e.process().comm())
                    || e instanceof ExecEvent x && x.argv().stream().anyMatch(a -> a.contains(mark)), recorded::add);
            for (Path f : shm) {
                Files.copy(Path.of("/usr/bin/true"), f);
            }
            Recorder.Mark start = out.mark();

            // 3. the acts: look-alikes first, then what must alert, the fence last.
            run(bin, "F1", dir.resolve("neg/file"));           // negated away
            run(bin, "G", dir.resolve("exc/allowed"));         // the exception's tuple
            run(bin, "I2");                                    // removed by the override
            run(bin, "K1");                                    // its rule was redefined
            run(List.of(shm.get(1).toString()));               // the pack rule's override excludes it
            run(bin, "D", mark);                               // the pack macro needs a shell
            run(bin, "A");
            run(bin, "C", dir.resolve("notype"));
            run(bin, "D");
            run(bin, "E");
            run(bin, "F2", dir.resolve("neg/file"));
            run(List.of("/bin/sh", "-c", "true " + mark));
            run(bin, "H", dir.resolve("exc/allowed"));
            run(bin, "G", dir.resolve("exc/other"));
            run(bin, "I1");
            run(bin, "K2");
            run(List.of(shm.get(0).toString()));
            run(bin, "M", dir.resolve("drl/file"));
            long fence = run(List.of(bin.resolve(name("B")).toString(), "-c", "import os, socket; open('" + dir.resolve("fence")
                    + "').read(); socket.socket().connect_ex(('127.0.0.1', 9)); os.setuid(4242)"));
            for (String type : List.of("exec", "open", "connect", "setuid")) {
                out.awaitAfter(start, "Several types", a -> a.event().process().pid() == fence
                        && a.output().startsWith("several " + name("B") + " " + type), WAIT);
            }
            assertThat(m.pipeline().stats().dropped()).isZero();
            live.addAll(out.since(start).stream().filter(a -> recorded.contains(a.event())).toList());
        } finally {
            julLogger.removeHandler(capture);
            for (Path f : shm) {
                Files.deleteIfExists(f);
            }
        }

        // 4. what the monitor raised for our programs, rule by rule.
        Map<String, List<String>> outputs = live.stream().collect(Collectors.groupingBy(Alert::rule, TreeMap::new,
                Collectors.mapping(Alert::output, Collectors.toList())));
        assertThat(outputs.get("One type")).containsExactly("one " + name("A") + " exec");
        assertThat(outputs.get("No type")).as("every event type the program had, under the rule's own name")
                .contains("notype " + name("C") + " exec <NA>", "notype " + name("C") + " open " + dir.resolve("notype"),
                        "notype " + name("C") + " exit <NA>");
        assertThat(outputs.get("And then or")).contains("andor " + name("D") + " exec", "andor " + name("E") + " exec",
                "andor " + name("E") + " exit").doesNotContain("andor " + name("D") + " exit");
        assertThat(outputs.get("And then or").stream().filter(o -> o.startsWith("andor " + name("D")))).hasSize(2);
        assertThat(outputs.get("Negated")).containsExactly("negated " + name("F2") + " " + dir.resolve("neg/file"));
        assertThat(outputs.get("Pack macro")).singleElement().satisfies(o -> assertThat(o).startsWith("packmacro sh -c"));
        assertThat(outputs.get("With exceptions")).containsExactlyInAnyOrder("exc " + name("H") + " " + dir.resolve("exc/allowed"),
                "exc " + name("G") + " " + dir.resolve("exc/other"));
        assertThat(outputs.get("Overridden here")).containsExactly("overridden " + name("I1"));
        assertThat(live).filteredOn(a -> a.rule().equals("Overridden here")).extracting(Alert::priority).containsOnly(Priority.CRITICAL);
        assertThat(outputs.get("Replaced")).containsExactly("replaced-new " + name("K2"));
        assertThat(outputs.get("Execution from /dev/shm")).containsExactly("shm override " + name("J1"));
        assertThat(outputs.get("DRL without the global line")).containsExactly("drl " + name("M") + " " + dir.resolve("drl/file"));
        assertThat(outputs.get("Several types")).satisfiesExactly(
                o -> assertThat(o).isEqualTo("several " + name("B") + " exec <NA> <NA>"),
                o -> assertThat(o).isEqualTo("several " + name("B") + " open " + dir.resolve("fence") + " <NA>"),
                o -> assertThat(o).startsWith("several " + name("B") + " connect ").endsWith("->127.0.0.1:9 <NA>"),
                o -> assertThat(o).isEqualTo("several " + name("B") + " setuid <NA> 4242"));

        // 5. rules test on the recorded events: the same alerts, rule by rule and count by count.
        EventJson json = new EventJson();
        Path events = Files.write(dir.resolve("recorded.jsonl"), recorded.stream().map(json::write).toList(), StandardCharsets.UTF_8);
        StringBuilder expect = new StringBuilder("alerts:\n");
        live.stream().collect(Collectors.groupingBy(Alert::rule, TreeMap::new, Collectors.summingLong(Alert::count)))
                .forEach((rule, count) -> expect.append("  - rule: \"").append(rule).append("\"\n    count: ").append(count).append('\n'));
        Path expected = Files.writeString(dir.resolve("expected.yaml"), expect);
        Cli.Run test = Cli.run("rules", "test", "--events", events.toString(), "--expect", expected.toString(),
                "--rules", first.toString(), "--rules", second.toString(), "--rules", drl.toString());
        assertThat(test.exit()).as(test.out() + test.err() + "\nexpected:\n" + expect).isZero();
        assertThat(test.out()).contains("PASS: " + recorded.size() + " events, 64 rules");
    }

    private long run(Path bin, String role, Object... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve(name(role)).toString()));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        return run(cmd);
    }

    private static long run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        assertThat(p.exitValue()).as("%s exit code", cmd).isZero();
        return p.pid();
    }
}
