package io.eunomia.engine.pipeline;

import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import java.util.ArrayList;
import java.util.List;
import org.drools.base.base.ClassObjectType;
import org.drools.base.base.ValueResolver;
import org.drools.base.rule.EntryPointId;
import org.drools.base.rule.constraint.AlphaNodeFieldConstraint;
import org.drools.core.common.DefaultFactHandle;
import org.drools.core.impl.InternalRuleBase;
import org.drools.core.reteoo.AlphaNode;
import org.drools.core.reteoo.ObjectSink;
import org.drools.core.reteoo.ObjectTypeNode;
import org.drools.core.reteoo.WindowNode;
import org.drools.model.constraints.SingleConstraint1;
import org.drools.model.functions.Predicate1;
import org.drools.modelcompiler.constraints.ConstraintEvaluator;
import org.drools.modelcompiler.constraints.LambdaConstraint;
import org.drools.mvel.MVELConstraint;
import org.kie.api.KieBase;

/**
 * Decides, before an event enters the session, whether any pattern of any rule can accept it: most
 * events (a write-open of /dev/null, a connect to a usual port) pass no pattern's single-event
 * constraints, and Drools spent as much inserting and deleting them again as evaluating those
 * constraints (bench/README.md, the monitor's own cost).
 * <p>
 * The filter is the rule base's own alpha network, walked outside the session: from each object
 * type node an event's class reaches (its record class, {@code Event}, {@code Object}) along the
 * alpha nodes whose constraints it passes. An event that reaches anything else — a rule's start,
 * the right input of a join, negation, exists or accumulate, a window (past the window's own
 * constraints, which it tests before taking an event in), a node this class does not know — is inserted; one that stops at failing alpha constraints everywhere is skipped. Inserted,
 * such an event would have propagated nowhere and been deleted after the fire ({@link Retention}),
 * so skipping it changes no rule's outcome. Conservative where it cannot tell: an alpha constraint
 * of another kind than the executable model's or MVEL's (e.g. a temporal operator against a
 * literal) counts as passed, and one that throws lets the event in (the session then reports it).
 * <p>
 * One thread only (the session's): constraints are evaluated against one reused fact handle.
 */
final class SessionFilter {
    /**
     * An alpha node: its constraint, and what an event passing it reaches. {@code test} is the
     * executable model's own predicate when the constraint reads the pattern's fact alone (called
     * directly: Drools' wrappers around it, a fact handle, a declaration and its extractor, cost more
     * than most predicates), else null (evaluated through the constraint).
     */
    private record Alpha(AlphaNodeFieldConstraint constraint, Predicate1<Object> test, boolean reachesMore, Alpha[] next) {}

    /** Per event type: null = every event goes in (a pattern without single-event constraints), else the alpha roots. */
    private final Alpha[][] roots = new Alpha[EventType.values().length][];
    /** Per event type whose events all go in: the node that takes them unfiltered (diagnostics). */
    private final String[] unfilteredBy = new String[EventType.values().length];
    private final ValueResolver resolver;
    private final DefaultFactHandle probe = new DefaultFactHandle();
    /** Constraints on the event alone called as the model's predicates ({@link FilterMode#DIRECT}). */
    private final boolean direct;

    /**
     * @param resolver the session's (globals a constraint reads)
     * @param mode     {@link FilterMode#OFF}: every event of a type some rule reads is inserted
     */
    SessionFilter(KieBase base, ValueResolver resolver, FilterMode mode) {
        this.resolver = resolver;
        this.direct = mode == FilterMode.DIRECT;
        boolean off = mode == FilterMode.OFF;
        List<ObjectTypeNode> otns = !off && base instanceof InternalRuleBase rb
                ? new ArrayList<>(rb.getRete().getObjectTypeNodes(EntryPointId.DEFAULT).values()) : null;
        for (EventType t : EventType.values()) {
            roots[t.ordinal()] = otns == null ? null : rootsFor(t, otns);
            if (otns == null) {
                unfilteredBy[t.ordinal()] = off ? "session filter off" : "not a Rete rule base";
            }
        }
    }

    /** Whether some pattern can accept the event (its type must be one the rules read). */
    boolean admits(Event e) {
        Alpha[] r = roots[e.type().ordinal()];
        if (r == null) {
            return true;
        }
        probe.setObject(e);
        try {
            return anyPasses(r, e);
        } catch (Exception ex) {
            return true;   // the session's own evaluation reports what is wrong
        } finally {
            probe.setObject(null);
        }
    }

    /** Whether every event of the type goes in (nothing to filter on): for tests and diagnostics. */
    boolean admitsAll(EventType t) {
        return roots[t.ordinal()] == null;
    }

    /** The alpha constraints along which the event passes, one path per line (diagnostics). */
    List<String> admittedBy(Event e) {
        Alpha[] r = roots[e.type().ordinal()];
        if (r == null) {
            return List.of("(every event of the type: " + unfilteredBy[e.type().ordinal()] + ")");
        }
        List<String> out = new ArrayList<>();
        probe.setObject(e);
        try {
            paths(r, "", out);
        } finally {
            probe.setObject(null);
        }
        return out;
    }

    private void paths(Alpha[] nodes, String prefix, List<String> out) {
        for (Alpha a : nodes) {
            if (a.constraint().isAllowed(probe, resolver)) {   // Drools' own evaluation: a check on the direct one
                String path = prefix + (prefix.isEmpty() ? "" : " -> ") + a.constraint();
                if (a.reachesMore()) {
                    out.add(path);
                }
                paths(a.next(), path, out);
            }
        }
    }

    private boolean anyPasses(Alpha[] nodes, Event e) throws Exception {
        for (Alpha a : nodes) {
            boolean passes = a.test() != null ? a.test().test(e) : a.constraint().isAllowed(probe, resolver);
            if (passes && (a.reachesMore() || anyPasses(a.next(), e))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The executable model's predicate of a constraint on the pattern's own fact (no declarations:
     * Drools hands it the fact itself), or null when it is not one.
     */
    @SuppressWarnings("unchecked")
    private static Predicate1<Object> predicate(AlphaNodeFieldConstraint c) {
        if (c instanceof LambdaConstraint l && l.getRequiredDeclarations().length == 0 && !l.isTemporal()
                && l.getEvaluator().getClass() == ConstraintEvaluator.class
                && l.getEvaluator().getConstraint() instanceof SingleConstraint1<?> one) {
            return (Predicate1<Object>) one.getPredicate1();
        }
        return null;
    }

    /** The alpha roots of the nodes the class reaches; null when some event of it reaches more than alpha nodes. */
    private Alpha[] rootsFor(EventType t, List<ObjectTypeNode> otns) {
        Class<?> type = t.recordClass();
        List<Alpha> out = new ArrayList<>();
        for (ObjectTypeNode otn : otns) {
            boolean reached = otn.getObjectType() instanceof ClassObjectType c ? c.getClassType().isAssignableFrom(type)
                    : true; // not a class: cannot tell which facts it takes
            if (!reached) {
                continue;
            }
            for (ObjectSink s : otn.getObjectSinkPropagator().getSinks()) {
                Alpha a = alpha(s);
                if (a == null) {
                    unfilteredBy[t.ordinal()] = otn.getObjectType() + " -> " + s;
                    return null;
                }
                out.add(a);
            }
        }
        return merged(out);
    }

    /** The node as an alpha step; null when an event reaching it reaches more (or its kind is unknown here). */
    private Alpha alpha(ObjectSink s) {
        if (s instanceof WindowNode w) {
            return window(w);
        }
        if (!(s instanceof AlphaNode node) || !evaluable(node.getConstraint())) {
            return null;
        }
        List<Alpha> next = new ArrayList<>();
        boolean more = false;
        for (ObjectSink child : node.getObjectSinkPropagator().getSinks()) {
            Alpha a = alpha(child);
            if (a == null) {
                more = true;
            } else {
                next.add(a);
            }
        }
        return step(node.getConstraint(), more, merged(next));
    }

    /**
     * Siblings with equal constraints (Drools' equality, the one its node sharing uses) as one step
     * whose continuations are both's: (c and A) or (c and B) is c and (A or B), so the verdict is the
     * same and c is evaluated once. The default pack has such siblings (equal constraints under the
     * object type nodes of {@code Event} and of a record class, or patterns Drools did not share):
     * without this the soak's write-open took 15 constraint evaluations, 13 of them distinct.
     */
    private static Alpha[] merged(List<Alpha> nodes) {
        List<Alpha> out = new ArrayList<>(nodes.size());
        for (Alpha a : nodes) {
            int same = -1;
            for (int i = 0; i < out.size() && same < 0; i++) {
                same = out.get(i).constraint().equals(a.constraint()) ? i : -1;
            }
            if (same < 0) {
                out.add(a);
            } else {
                Alpha b = out.get(same);
                List<Alpha> next = new ArrayList<>(List.of(b.next()));
                next.addAll(List.of(a.next()));
                out.set(same, new Alpha(b.constraint(), b.test(), b.reachesMore() || a.reachesMore(), merged(next)));
            }
        }
        return out.toArray(Alpha[]::new);
    }

    /** Constraint steps in the type's tree (0 when every event of it goes in): for tests and diagnostics. */
    int steps(EventType t) {
        Alpha[] r = roots[t.ordinal()];
        return r == null ? 0 : steps(r);
    }

    private static int steps(Alpha[] nodes) {
        int n = 0;
        for (Alpha a : nodes) {
            n += 1 + steps(a.next());
        }
        return n;
    }

    /**
     * A window tests its pattern's constraints itself and takes in only the events that pass them
     * all ({@code WindowNode.assertObject} returns before its behaviours otherwise): a chain of those
     * constraints, the last reaching the window. Constraints of a kind unknown here count as passed.
     */
    private Alpha window(WindowNode w) {
        List<AlphaNodeFieldConstraint> cs = w.getConstraints().stream().filter(SessionFilter::evaluable).toList();
        Alpha chain = null;
        for (int i = cs.size() - 1; i >= 0; i--) {
            chain = chain == null ? step(cs.get(i), true, new Alpha[0]) : step(cs.get(i), false, new Alpha[] {chain});
        }
        return chain;
    }

    private Alpha step(AlphaNodeFieldConstraint constraint, boolean reachesMore, Alpha[] next) {
        return new Alpha(constraint, direct ? predicate(constraint) : null, reachesMore, next);
    }

    /** Constraints this filter may evaluate outside the session: the executable model's and MVEL's (no temporal operators). */
    private static boolean evaluable(AlphaNodeFieldConstraint c) {
        return c instanceof LambdaConstraint || c instanceof MVELConstraint;
    }
}
