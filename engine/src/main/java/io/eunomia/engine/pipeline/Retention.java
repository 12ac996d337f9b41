package io.eunomia.engine.pipeline;

import io.eunomia.event.EventType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.drools.base.base.ClassObjectType;
import org.drools.core.common.DefaultEventHandle;
import org.drools.core.common.InternalFactHandle;
import org.drools.core.impl.InternalRuleBase;
import org.drools.core.reteoo.ObjectTypeNode;
import org.drools.core.reteoo.TerminalNode;
import org.kie.api.KieBase;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;

/**
 * Decides which events stay in the session after the rules have seen them. Memory stays flat
 * because almost nothing stays:
 * <ul>
 * <li>an event that reached no join, window, accumulate or negation — no pattern accepted it, or
 *     only single-event rules, which have fired — can never match anything later: it leaves right
 *     after the fire;</li>
 * <li>the rest stay as long as Drools' own expiry says (inferred from the rules' windows and
 *     temporal operators), or, for a type some rule joins without any time bound, for
 *     {@link #DEFAULT_HORIZON_MILLIS};</li>
 * <li>and never more than a cap: past it the oldest go, counted, so a flood costs matches, never
 *     the heap.</li>
 * </ul>
 */
final class Retention {
    /** How long an event joined by a rule without a time bound stays. */
    static final long DEFAULT_HORIZON_MILLIS = 5 * 60_000;

    private final boolean[] unbounded = new boolean[EventType.values().length];
    private final int max;
    private final List<FactHandle> batch = new ArrayList<>();
    private final ArrayDeque<FactHandle> kept = new ArrayDeque<>();
    private long evicted;

    Retention(KieBase base, int max) {
        this.max = max;
        Set<Class<?>> expiring = typesDroolsExpires(base);
        for (EventType t : EventType.values()) {
            unbounded[t.ordinal()] = !expiring.contains(t.recordClass());
        }
    }

    void inserted(FactHandle h) {
        batch.add(h);
    }

    /** After a fire: lets go of what no rule can use, then bounds what stays by age and count. */
    void afterFire(KieSession session, long nowMillis) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            FactHandle h = batch.get(i);
            if (awaitsLaterEvents(h)) {
                kept.addLast(h);
            } else {
                session.delete(h);
            }
        }
        batch.clear();
        long horizon = nowMillis - DEFAULT_HORIZON_MILLIS;
        for (FactHandle h = kept.peekFirst(); h != null; h = kept.peekFirst()) {
            if (!valid(h)) {
                kept.pollFirst();                     // expired by Drools
            } else if (unbounded[type(h).ordinal()] && start(h) < horizon) {
                session.delete(kept.pollFirst());
            } else {
                break;
            }
        }
        if (kept.size() > max) {
            // Handles behind a live head may have expired already: count only the living, and
            // then make room for a tenth more, so this scan runs once per max/10 inserts at most.
            kept.removeIf(h -> !valid(h));
            while (kept.size() > max - max / 10) {
                session.delete(kept.pollFirst());
                evicted++;
            }
        }
    }

    long evicted() {
        return evicted;
    }

    int kept() {
        return kept.size();
    }

    private static EventType type(FactHandle h) {
        return ((io.eunomia.event.Event) ((InternalFactHandle) h).getObject()).type();
    }

    /**
     * Whether the event sits where a later event can still meet it: in the right input of a join,
     * negation, exists or accumulate, or as the start of a rule with further patterns. A left
     * tuple straight into a terminal node is a single-event rule's match, already fired.
     */
    private static boolean awaitsLaterEvents(FactHandle h) {
        InternalFactHandle ih = (InternalFactHandle) h;
        return ih.getFirstRightTuple() != null || ih.findFirstLeftTuple(t -> !(t.getSink() instanceof TerminalNode)) != null;
    }

    private static boolean valid(FactHandle h) {
        return ((InternalFactHandle) h).isValid();
    }

    private static long start(FactHandle h) {
        return h instanceof DefaultEventHandle e ? e.getStartTimestamp() : Long.MAX_VALUE;
    }

    /** Event classes with an expiry in the rule base (inferred by Drools or declared). */
    private static Set<Class<?>> typesDroolsExpires(KieBase base) {
        Set<Class<?>> out = new java.util.HashSet<>();
        if (base instanceof InternalRuleBase rb) {
            for (ObjectTypeNode otn : rb.getRete().getObjectTypeNodes()) {
                if (otn.getExpirationOffset() >= 0 && otn.getObjectType() instanceof ClassObjectType c) {
                    out.add(c.getClassType());
                }
            }
        }
        return out;
    }
}
