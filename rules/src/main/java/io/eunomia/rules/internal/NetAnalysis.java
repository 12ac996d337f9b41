package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.event.NetInterest;
import io.eunomia.event.NetOp;
import io.eunomia.event.SocketFamily;
import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FieldType;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which socket events a checked condition can match ({@link NetInterest}): it is evaluated once per
 * kind of event the network sensor can keep back — each operation, and a connect or an accept with
 * a peer at 127.x.y.z, at ::1, or elsewhere — in three values (may be true, may be false). Only
 * evt.type, the peer's address and fd.family are known for a kind; every other field may be
 * anything, so a kind is dropped only when the condition is false for every event of it.
 * <p>
 * The peer is the remote end: fd.rip, and fd.sip/fd.dip of a connect or fd.cip of an accept
 * (io.eunomia.rules.EventFields: the local end is an accept's server).
 */
public final class NetAnalysis {
    /** The peer of a kind: none known (bind, listen, or a peer that is not loopback), 127.x.y.z, or ::1. */
    private enum Peer { OTHER, LOOPBACK4, LOOPBACK6 }

    private record Kind(NetOp op, Peer peer) {}

    /** May be true, may be false. */
    private record Val(boolean yes, boolean no) {
        static final Val ALWAYS = new Val(true, false);
        static final Val NEVER = new Val(false, true);
        static final Val UNKNOWN = new Val(true, true);

        static Val of(boolean holds) {
            return holds ? ALWAYS : NEVER;
        }

        Val not() {
            return new Val(no, yes);
        }
    }

    private final FieldCatalog catalog;

    public NetAnalysis(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    /** The socket events the condition can match. */
    public NetInterest events(Cond c) {
        Set<NetOp> other = EnumSet.noneOf(NetOp.class);
        Set<NetOp> loopback = EnumSet.noneOf(NetOp.class);
        for (NetOp op : NetOp.values()) {
            if (eval(c, new Kind(op, Peer.OTHER)).yes()) {
                other.add(op);
            }
            boolean peered = op == NetOp.CONNECT || op == NetOp.ACCEPT;
            if (peered && (eval(c, new Kind(op, Peer.LOOPBACK4)).yes() || eval(c, new Kind(op, Peer.LOOPBACK6)).yes())) {
                loopback.add(op);
            }
        }
        return new NetInterest(other, loopback);
    }

    private Val eval(Cond c, Kind k) {
        return switch (c) {
            case Cond.All a -> {
                boolean yes = true;
                boolean no = false;
                for (Cond t : a.terms()) {
                    Val v = eval(t, k);
                    yes &= v.yes();
                    no |= v.no();
                }
                yield new Val(yes, no);
            }
            case Cond.Any a -> {
                boolean yes = false;
                boolean no = true;
                for (Cond t : a.terms()) {
                    Val v = eval(t, k);
                    yes |= v.yes();
                    no &= v.no();
                }
                yield new Val(yes, no);
            }
            case Cond.Neg n -> eval(n.term(), k).not();
            case Cond.Has h -> catalog.access(h.field().name(), EventType.NET).isEmpty() ? Val.NEVER : Val.UNKNOWN;
            case Cond.Test t -> test(t, k);
        };
    }

    private Val test(Cond.Test t, Kind k) {
        String name = t.field().name();
        if (name.equals("evt.type")) {
            Val any = Val.NEVER;
            for (String v : t.values()) {
                Val one = eventType(v, k.op());
                any = new Val(any.yes() || one.yes(), any.no() && one.no());
            }
            return t.op().equals("!=") ? any.not() : any;
        }
        if (catalog.access(name, EventType.NET).isEmpty()) {
            return Val.NEVER; // a field socket events do not have: the comparison is false, as in the generated DRL
        }
        boolean peer = t.field().type() == FieldType.STRING && isPeer(name, k.op());
        return switch (k.peer()) {
            // Not loopback says little: a unix socket's peer may be a relative path "127.x" or "::1".
            case OTHER -> Val.UNKNOWN;
            case LOOPBACK4 -> peer ? loopback4(t.op(), t.values()) : name.equals("fd.family") ? family(t.op(), t.values()) : Val.UNKNOWN;
            case LOOPBACK6 -> peer ? exact(t.op(), "::1", t.values()) : name.equals("fd.family") ? family(t.op(), t.values()) : Val.UNKNOWN;
        };
    }

    /** Whether an event of this operation can be of this evt.type (connect: every one; sendto: some). */
    private Val eventType(String v, NetOp op) {
        boolean net = catalog.eventKinds(v).stream().anyMatch(e -> e.type() == EventType.NET);
        if (!net) {
            return Val.NEVER;
        }
        if (v.equals(op.name().toLowerCase(Locale.ROOT))) {
            return Val.ALWAYS;
        }
        return switch (v) {
            case "sendto", "sendmsg", "sendmmsg" -> op == NetOp.CONNECT ? Val.UNKNOWN : Val.NEVER;
            case "accept4" -> op == NetOp.ACCEPT ? Val.UNKNOWN : Val.NEVER;
            case "connect", "accept", "bind", "listen" -> Val.NEVER;
            default -> Val.UNKNOWN;
        };
    }

    private static boolean isPeer(String field, NetOp op) {
        return switch (field) {
            case "fd.rip" -> true;
            case "fd.sip", "fd.dip" -> op == NetOp.CONNECT;
            case "fd.cip" -> op == NetOp.ACCEPT;
            default -> false;
        };
    }

    /** A loopback peer is an inet or inet6 socket (an IPv4-mapped peer keeps its inet6 family). */
    private static Val family(String op, List<String> vs) {
        boolean named = vs.stream().anyMatch(v -> v.equalsIgnoreCase(SocketFamily.INET.name())
                || v.equalsIgnoreCase(SocketFamily.INET6.name()));
        return switch (op) {
            case "=", "in" -> named ? Val.UNKNOWN : Val.NEVER;
            case "!=" -> named ? Val.UNKNOWN : Val.ALWAYS;
            default -> Val.UNKNOWN;
        };
    }

    /** A test on a value known exactly. */
    private static Val exact(String op, String value, List<String> vs) {
        return switch (op) {
            case "=", "!=", "in", "contains", "icontains", "startswith", "endswith", "glob", "pmatch" ->
                    Val.of(FileReadAnalysis.holds(op, value, vs));
            default -> Val.UNKNOWN;
        };
    }

    /** A test on "127." followed by three numbers. */
    private static Val loopback4(String op, List<String> vs) {
        String p = "127.";
        return switch (op) {
            case "=", "in" -> vs.stream().anyMatch(v -> v.startsWith(p)) ? Val.UNKNOWN : Val.NEVER;
            case "!=" -> vs.getFirst().startsWith(p) ? Val.UNKNOWN : Val.ALWAYS;
            case "startswith" -> p.startsWith(vs.getFirst()) ? Val.ALWAYS
                    : vs.getFirst().startsWith(p) ? Val.UNKNOWN : Val.NEVER;
            default -> Val.UNKNOWN;
        };
    }
}
