package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.StreamKind;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompiler;
import io.eunomia.rules.RuleSource;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The filter against the truth: every event some rule fires on when nothing is filtered must pass
 * it, for each condition shape the rule compiler produces (==, !=, short and long in-lists,
 * startswith/endswith/contains/icontains/glob/pmatch, negations, macros and lists, numbers, or of
 * ands), and its verdict (the executable model's predicates called directly) is the one Drools' own
 * constraint evaluation gives, on those rules and on the default pack.
 */
class SessionFilterShapesTest {
    private static final String SHAPES = """
            - list: editors
              items: [vi, vim, nano]
            - list: many_shells
              items: [sh, bash, dash, zsh, ksh, csh, tcsh, fish, ash, busybox]
            - macro: etc_write
              condition: evt.type = open and evt.is_open_write = true and fd.name startswith /etc/
            - macro: a_container
              condition: container.id != host
            - rule: Equality
              desc: d
              condition: evt.type = open and fd.name = /secret/a
              output: "%proc.name"
              priority: WARNING
            - rule: Inequality and short in
              desc: d
              condition: evt.type = open and proc.name in (editors) and fd.name != /tmp/ok
              output: "%proc.name"
              priority: WARNING
            - rule: Long in
              desc: d
              condition: evt.type = execve and proc.name in (many_shells)
              output: "%proc.name"
              priority: WARNING
            - rule: Prefixes and suffixes
              desc: d
              condition: evt.type = open and (fd.name startswith /var/lib/x/ or fd.name endswith .key) and not fd.name contains cache
              output: "%proc.name"
              priority: WARNING
            - rule: Case-blind contains
              desc: d
              condition: evt.type = open and fd.name icontains SeCrEt and evt.rawres < 0
              output: "%proc.name"
              priority: WARNING
            - rule: Glob and pmatch
              desc: d
              condition: evt.type = open and (fd.name glob /home/*/.ssh/id_* or fd.name pmatch (/boot, /usr/sbin))
              output: "%proc.name"
              priority: WARNING
            - rule: Macros and negation
              desc: d
              condition: etc_write and a_container and not proc.name in (editors)
              output: "%proc.name"
              priority: WARNING
            - rule: Exec of a negated list
              desc: d
              condition: evt.type = execve and not proc.name in (many_shells, editors) and proc.exepath startswith /tmp/
              output: "%proc.name"
              priority: WARNING
            """;

    private static final List<String> COMMS = List.of("cat", "vi", "nano", "bash", "busybox", "fish", "tmpbin");
    private static final List<String> PATHS = List.of("/secret/a", "/secret/b", "/tmp/ok", "/tmp/x", "/var/lib/x/y",
            "/var/lib/x/cache/y", "/srv/a.key", "/srv/SECRET.txt", "/home/u/.ssh/id_rsa", "/home/u/.ssh/known_hosts",
            "/boot/vmlinuz", "/usr/sbin/x", "/usr/sbinx", "/etc/passwd", "/etc/shadow", "/dev/null", "/proc/1/mem",
            "/etc/sudoers.d/x", "/root/.ssh/id_ed25519.pub");
    private static final ContainerInfo WEB = TestEvents.WEB;

    /** Reads and write-opens, failed and not, of every path by every comm, host and container; execs of every comm from /tmp and /usr/bin. */
    private static List<Event> corpus() {
        List<Event> out = new ArrayList<>();
        long t = T0;
        for (String comm : COMMS) {
            for (ContainerInfo c : List.of(ContainerInfo.HOST, WEB)) {
                for (String path : PATHS) {
                    for (int flags : new int[] {0, 1}) {
                        for (long res : new long[] {3, -2}) {
                            out.add(new FileEvent(t++, TestEvents.proc(77, comm, c), FileOp.OPEN, "openat", path, "", flags, 0, -1, -1,
                                    res, res >= 0));
                        }
                    }
                    out.add(new FileEvent(t++, TestEvents.proc(77, comm, c), FileOp.UNLINK, "unlinkat", path, "", 0, 0, -1, -1, 0, true));
                }
                for (String dir : List.of("/tmp/", "/usr/bin/")) {
                    out.add(new ExecEvent(t++, TestEvents.proc(78, comm, c), 78, dir + comm, List.of(dir + comm), 1, false, "",
                            StreamKind.PIPE, StreamKind.PIPE, StreamKind.PIPE, 0));
                }
            }
        }
        return out;
    }

    /** The events some rule fires on, each given alone to a session that filters nothing. */
    private static Set<Event> firing(RuleBase rules, List<Event> events) {
        Map<Event, Boolean> fired = new IdentityHashMap<>();
        try (RuleSession unfiltered = new RuleSession(rules, ClockMode.EVENT_TIME, (rule, es) -> {
            for (Event e : es) {
                fired.put(e, true);
            }
        }, RuleSession.DEFAULT_MAX_RETAINED, FilterMode.OFF)) {
            for (Event e : events) {
                unfiltered.process(List.of(e));
            }
        }
        Set<Event> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        out.addAll(fired.keySet());
        return out;
    }

    @Test
    void everyEventARuleFiresOnPassesAndTheVerdictIsDroolsOwn() throws Exception {
        RuleBase rules = RuleCompiler.compile(List.of(new RuleSource("shapes.yaml", SHAPES)));
        List<Event> events = corpus();
        Set<Event> fire = firing(rules, events);
        Set<String> firedRules = new LinkedHashSet<>();
        try (RuleSession s = new RuleSession(rules, ClockMode.EVENT_TIME, (rule, es) -> firedRules.add(rule.getRule().getName()))) {
            int kept = 0;
            for (Event e : events) {
                boolean admitted = s.wouldInsert(e);
                assertThat(admitted).as("direct predicates vs Drools' evaluation for %s: %s", e, s.admittedBy(e))
                        .isEqualTo(!s.admittedBy(e).isEmpty() && s.wants(e));
                if (fire.contains(e)) {
                    assertThat(admitted).as("an event a rule fires on must pass: %s", e).isTrue();
                }
                kept += admitted ? 1 : 0;
            }
            assertThat(kept).as("the filter keeps some events out").isLessThan(events.size() / 2);
            s.process(events);
        }
        // Each shape's rule fired on something, so each was really exercised.
        assertThat(firedRules).containsExactlyInAnyOrder("Equality", "Inequality and short in", "Long in", "Prefixes and suffixes",
                "Case-blind contains", "Glob and pmatch", "Macros and negation", "Exec of a negated list");
    }

    @Test
    void theDefaultPackKeepsEveryEventItFiresOnAndAgreesWithDrools() throws Exception {
        RuleBase pack = RuleCompiler.compile(DefaultPack.sources());
        List<Event> events = corpus();
        Set<Event> fire = firing(pack, events);
        assertThat(fire).as("the corpus makes the default pack fire").isNotEmpty();
        try (RuleSession s = new RuleSession(pack, ClockMode.EVENT_TIME, (rule, es) -> { })) {
            for (Event e : events) {
                boolean admitted = s.wouldInsert(e);
                assertThat(admitted).as("direct predicates vs Drools' evaluation for %s", e)
                        .isEqualTo(s.wants(e) && !s.admittedBy(e).isEmpty());
                if (fire.contains(e)) {
                    assertThat(admitted).as("an event a rule fires on must pass: %s", e).isTrue();
                }
            }
        }
    }
}
