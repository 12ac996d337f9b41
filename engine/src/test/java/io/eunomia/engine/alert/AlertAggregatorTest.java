package io.eunomia.engine.alert;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.Event;
import io.eunomia.rules.Priority;
import io.eunomia.rules.RuleInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Alert storms: grouped by rule, container and the grouping fields, bounded lines per window, counts that add up. */
class AlertAggregatorTest {
    private static final long S = 1_000_000_000L;
    private static final RuleInfo RULE = new RuleInfo("Read sensitive file", Priority.WARNING, "d",
            "Sensitive file opened (file=%fd.name user=%user.uid process=%proc.name pid=%proc.pid container=%container.name)",
            List.of(), "r.yaml:1");
    private final OutputRenderer.Template template = new OutputRenderer().parse(RULE.outputTemplate());
    private final AlertGroup group = AlertGroup.of(RULE, template);

    private Alert alert(Event e) {
        return Alert.single(RULE.name(), RULE.priority(), template.render(e), RULE.tags(), e, RULE.source(), group.values(e, template));
    }

    @Test
    void theDefaultGroupIsTheOutputsFieldsLessPidAndContainer() {
        assertThat(group.fields()).containsExactly("fd.name", "user.uid", "proc.name");
        RuleInfo own = new RuleInfo(RULE.name(), RULE.priority(), "d", RULE.outputTemplate(), List.of(), "r", Optional.of(List.of("proc.name")));
        assertThat(AlertGroup.of(own, template).fields()).containsExactly("proc.name");
        assertThat(group.values(open(T0, 7, "cat", "/etc/shadow"), template))
                .isEqualTo(Map.of("fd.name", "/etc/shadow", "user.uid", "1000", "proc.name", "cat"));
    }

    @Test
    void aStormOfNewPidsIsOneLineThenOneSummaryPerWindowAndTheCountsAddUp() {
        List<Alert> out = new ArrayList<>();
        AlertAggregator agg = new AlertAggregator(Duration.ofSeconds(10), out::add);
        int n = 3000;   // 100 per second for 30 s, each from a new process
        for (int i = 0; i < n; i++) {
            agg.accept(alert(open(T0 + i * S / 100, 1000 + i, "cat", "/etc/shadow")));
            if (i == 0) {
                assertThat(out).as("the first occurrence goes out at once").hasSize(1);
            }
            agg.tick(T0 + i * S / 100);
        }
        agg.tick(T0 + 60 * S);
        assertThat(out).extracting(Alert::summary).containsExactly(false, true, true, true);
        assertThat(out).extracting(Alert::count).containsExactly(1L, 999L, 1000L, 1000L);
        assertThat(out.stream().mapToLong(Alert::count).sum()).isEqualTo(n);
        assertThat(agg.suppressed()).isEqualTo(n - 1);
        assertThat(out.get(2).firstNanos()).as("a summary covers the time since the previous line").isEqualTo(T0 + 10 * S);
        assertThat(out.get(2).repeats()).isEqualTo("1000 more times in 10.0 s");
        assertThat(agg.openWindows()).isZero();

        // After a quiet window the next occurrence is a first again, at once.
        agg.accept(alert(open(T0 + 70 * S, 5, "cat", "/etc/shadow")));
        assertThat(out.getLast().summary()).isFalse();
    }

    @Test
    void anotherFileOrProgramIsAnotherGroup() {
        List<Alert> out = new ArrayList<>();
        AlertAggregator agg = new AlertAggregator(Duration.ofSeconds(10), out::add);
        agg.accept(alert(open(T0, 1, "cat", "/etc/shadow")));
        agg.accept(alert(open(T0 + S, 2, "cat", "/etc/shadow")));
        agg.accept(alert(open(T0 + S, 3, "cat", "/etc/gshadow")));
        agg.accept(alert(open(T0 + S, 4, "less", "/etc/shadow")));
        assertThat(out).extracting(Alert::output).containsExactly(
                "Sensitive file opened (file=/etc/shadow user=1000 process=cat pid=1 container=web)",
                "Sensitive file opened (file=/etc/gshadow user=1000 process=cat pid=3 container=web)",
                "Sensitive file opened (file=/etc/shadow user=1000 process=less pid=4 container=web)");
    }

    @Test
    void openGroupsAreBoundedTheOldestIsSummarisedEarly() {
        List<Alert> out = new ArrayList<>();
        AlertAggregator agg = new AlertAggregator(Duration.ofSeconds(10), 2, out::add);
        agg.accept(alert(open(T0, 1, "a", "/etc/shadow")));
        agg.accept(alert(open(T0 + 1, 2, "a", "/etc/shadow")));
        agg.accept(alert(open(T0 + 2, 3, "b", "/etc/shadow")));
        agg.accept(alert(open(T0 + 3, 4, "c", "/etc/shadow")));
        assertThat(agg.openWindows()).isEqualTo(2);
        assertThat(agg.closedEarly()).isEqualTo(1);
        assertThat(out).extracting(Alert::count, Alert::summary).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, false), org.assertj.core.groups.Tuple.tuple(1L, false),
                org.assertj.core.groups.Tuple.tuple(1L, true), org.assertj.core.groups.Tuple.tuple(1L, false));
    }
}
