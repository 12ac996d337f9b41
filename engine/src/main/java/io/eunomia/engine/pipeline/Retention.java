package io.eunomia.engine.pipeline;

import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.drools.base.base.ClassObjectType;
import org.drools.core.common.DefaultEventHandle;
import org.drools.core.common.InternalFactHandle;
import org.drools.core.impl.InternalRuleBase;
import org.drools.core.reteoo.ObjectTypeNode;
import org.drools.core.reteoo.RuleTerminalNodeLeftTuple;
import org.drools.core.reteoo.TerminalNode;
import org.drools.core.reteoo.TupleImpl;
import org.kie.api.KieBase;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;

/**
 * Decides which events stay in the session after the rules have seen them. Memory stays flat
 * because almost nothing stays:
 * <ul>
 * <li>an event that reached no join, window, accumulate or negation — no pattern accepted it, or
 *     only single-event rules, which have fired — can never match anything later: it leaves right
 *     after the fire (unless its match still waits on the agenda, e.g. in an agenda group without
 *     focus);</li>
 * <li>the rest stay as long as Drools' own expiry says (inferred from the windows and temporal
 *     operators of every rule that reads the type), or, for a type some rule joins without any
 *     time bound, for {@link #DEFAULT_HORIZON_MILLIS};</li>
 * <li>and never more than a cap: past it, the oldest events of the type holding the most go,
 *     counted — a flood of one kind (say, writes) cannot push out the few events of another kind
 *     (a shell's exec) that a sequence rule waits on.</li>
 * </ul>
 * Known limit: a rule with a timer longer than the horizon loses its event at the horizon.
 */
final class Retention {
    /** How long an event joined by a rule without a time bound stays. */
    static final long DEFAULT_HORIZON_MILLIS = 5 * 60_000;

    private final boolean[] unbounded = new boolean[EventType.values().length];
    private final int max;
    private final List<FactHandle> batch = new ArrayList<>();
    /** Kept events by type, each in insertion order. */
    private final List<ArrayDeque<FactHandle>> kept = new ArrayList<>();
    private int keptTotal;
    private long evicted;

    Retention(KieBase base, int max) {
        this.max = max;
        Set<Class<?>> expiring = typesDroolsExpires(base);
        for (EventType t : EventType.values()) {
            unbounded[t.ordinal()] = !expiring.contains(t.recordClass());
            kept.add(new ArrayDeque<>());
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
                kept.get(type(h).ordinal()).addLast(h);
                keptTotal++;
            } else {
                session.delete(h);
            }
        }
        batch.clear();
        long horizon = nowMillis - DEFAULT_HORIZON_MILLIS;
        for (EventType t : EventType.values()) {
            ArrayDeque<FactHandle> q = kept.get(t.ordinal());
            for (FactHandle h = q.peekFirst(); h != null; h = q.peekFirst()) {
                if (!valid(h)) {
                    q.pollFirst();                         // expired by Drools
                } else if (unbounded[t.ordinal()] && start(h) < horizon) {
                    session.delete(q.pollFirst());
                } else {
                    break;
                }
                keptTotal--;
            }
        }
        if (keptTotal > max) {
            evictFromTheLargest(session);
        }
    }

    /**
     * Handles behind a live head may have expired already: counts only the living, then makes room
     * for a tenth more (so this runs once per max/10 inserts at most), oldest first from whichever
     * type holds the most.
     */
    private void evictFromTheLargest(KieSession session) {
        keptTotal = 0;
        for (ArrayDeque<FactHandle> q : kept) {
            q.removeIf(h -> !valid(h));
            keptTotal += q.size();
        }
        while (keptTotal > max - max / 10) {
            ArrayDeque<FactHandle> largest = kept.getFirst();
            for (ArrayDeque<FactHandle> q : kept) {
                if (q.size() > largest.size()) {
                    largest = q;
                }
            }
            session.delete(largest.pollFirst());
            keptTotal--;
            evicted++;
        }
    }

    long evicted() {
        return evicted;
    }

    int kept() {
        return keptTotal;
    }

    private static EventType type(FactHandle h) {
        return ((Event) ((InternalFactHandle) h).getObject()).type();
    }

    /**
     * Whether the event sits where a later event can still meet it — the right input of a join,
     * negation, exists or accumulate, or the start of a rule with further patterns — or its match
     * has not fired yet. A fired left tuple straight into a terminal node is a single-event rule's
     * match, done with.
     */
    private static boolean awaitsLaterEvents(FactHandle h) {
        InternalFactHandle ih = (InternalFactHandle) h;
        return ih.getFirstRightTuple() != null || ih.findFirstLeftTuple(Retention::stillNeeded) != null;
    }

    private static boolean stillNeeded(TupleImpl t) {
        return !(t.getSink() instanceof TerminalNode) || (t instanceof RuleTerminalNodeLeftTuple m && m.isQueued());
    }

    private static boolean valid(FactHandle h) {
        return ((InternalFactHandle) h).isValid();
    }

    private static long start(FactHandle h) {
        return h instanceof DefaultEventHandle e ? e.getStartTimestamp() : Long.MAX_VALUE;
    }

    /** Event classes with an expiry in the rule base (inferred by Drools or declared). */
    private static Set<Class<?>> typesDroolsExpires(KieBase base) {
        Set<Class<?>> out = new HashSet<>();
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
