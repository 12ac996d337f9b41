package io.eunomia.engine.pipeline;

import io.eunomia.event.EventType;
import io.eunomia.rules.RuleBase;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.drools.base.base.ClassObjectType;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;

/** What the compiled rules look like, as far as the session's memory is concerned. */
final class RuleShapes {
    private RuleShapes() {}

    /**
     * Event types read by some rule with more than one pattern, or with a pattern over something
     * other than a single event (a window, an accumulate, a collect): such events must stay in
     * the session until they expire. Events of other types can leave as soon as the rules fired.
     * Unknown rule shapes count as joins (safe side).
     */
    static Set<EventType> typesInJoins(RuleBase base) {
        Set<EventType> joined = EnumSet.noneOf(EventType.class);
        for (KiePackage p : base.kieBase().getKiePackages()) {
            for (Rule r : p.getRules()) {
                if (!(r instanceof RuleImpl impl)) {
                    return EnumSet.allOf(EventType.class);
                }
                List<Pattern> patterns = new ArrayList<>();
                boolean other = collect(impl.getLhs(), patterns);
                if (patterns.size() > 1 || other) {
                    for (Pattern pat : patterns) {
                        if (pat.getObjectType() instanceof ClassObjectType c) {
                            EventType t = TYPES.get(c.getClassType());
                            if (t != null) {
                                joined.add(t);
                            }
                        }
                    }
                    if (other) {
                        // accumulate/collect/from/window: which types they hold is not worth guessing
                        return EnumSet.allOf(EventType.class);
                    }
                }
            }
        }
        return joined;
    }

    private static final Map<Class<?>, EventType> TYPES = Map.of(
            io.eunomia.event.ExecEvent.class, EventType.EXEC, io.eunomia.event.ExitEvent.class, EventType.EXIT,
            io.eunomia.event.ForkEvent.class, EventType.FORK, io.eunomia.event.FileEvent.class, EventType.FILE,
            io.eunomia.event.NetEvent.class, EventType.NET, io.eunomia.event.CapEvent.class, EventType.CAP,
            io.eunomia.event.SyscallEvent.class, EventType.SYSCALL);

    /** Collects patterns; true when the LHS has an element that is neither a pattern nor and/or/not/exists. */
    private static boolean collect(RuleConditionElement e, List<Pattern> out) {
        boolean other = false;
        if (e instanceof Pattern p) {
            out.add(p);
            if (p.getSource() != null) {
                other = true;
            }
            return other;
        }
        if (!(e instanceof org.drools.base.rule.GroupElement)) {
            return true;
        }
        for (RuleConditionElement child : e.getNestedElements()) {
            other |= collect(child, out);
        }
        return other;
    }
}
