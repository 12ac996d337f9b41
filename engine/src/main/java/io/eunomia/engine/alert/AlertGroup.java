package io.eunomia.engine.alert;

import io.eunomia.event.Event;
import io.eunomia.rules.RuleInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which fields of a rule's alerts tell one behaviour from another, so that a rule firing thousands
 * of times groups into a few alerts (with the rule and the container, {@link AlertAggregator}'s
 * key). A rule names them ({@code group_by:}); by default they are the fields of its output less
 * those that differ with every process or connection (pid, thread, time, client port) and the
 * container's (the container is part of the key anyway): a loop of {@code cat /etc/shadow} is one
 * behaviour however many pids it takes.
 *
 * @param fields the fields, in the order they are shown and sent as Alertmanager labels
 */
public record AlertGroup(List<String> fields) {
    /** Fields that name a process, thread, moment or connection instance rather than a behaviour. */
    static final Set<String> PER_INSTANCE = Set.of("proc.pid", "proc.ppid", "thread.tid", "process.pid", "process.ppid",
            "process.tid", "evt.time", "evt.rawtime", "fd.num", "fd.cport", "violation.total", "violation.suppressed",
            "container.id", "container.name", "container.image", "container.runtime", "container.type",
            "process.container.id", "process.container.name", "process.container.image", "process.container.runtime");

    public AlertGroup {
        fields = List.copyOf(fields);
    }

    /** The rule's own fields, else the default from its output template. */
    public static AlertGroup of(RuleInfo rule, OutputRenderer.Template output) {
        if (rule.groupBy().isPresent()) {
            return new AlertGroup(rule.groupBy().get());
        }
        List<String> fields = new ArrayList<>();
        for (String f : output.fieldNames()) {
            if (!PER_INSTANCE.contains(f) && !fields.contains(f)) {
                fields.add(f);
            }
        }
        return new AlertGroup(fields);
    }

    /** The event's value of each field, as the output shows it ("<NA>" when it has none). */
    public Map<String, String> values(Event e, OutputRenderer.Template output) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String f : fields) {
            out.put(f, output.valueOf(f, e));
        }
        return out;
    }
}
