package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.event.NetInterest;
import io.eunomia.event.NetOp;
import io.eunomia.event.PortSet;
import io.eunomia.event.SocketFamily;
import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FieldType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which socket events a checked condition can match ({@link NetInterest}): it is evaluated once per
 * kind of event the network sensor can keep back — each operation, and a connect or an accept with
 * a peer at 127.x.y.z, at ::1, or elsewhere — in three values (may be true, may be false). Only
 * evt.type, the peer's address and fd.family are known for a kind; every other field may be
 * anything, so a kind is dropped only when the condition is false for every event of it.
 * <p>
 * Each kind is also split by its server port (fd.sport, fd.dport, a connect's fd.rport, the local
 * fd.lport of the others), which the sensor judges on inet and inet6 sockets: the ports a condition
 * compares it with cut 0–65535 into ranges on which every comparison has one value, and the
 * condition is evaluated once per range. A negation or `!=` thus keeps every range but the ports
 * named; a condition without a port comparison, every port.
 * <p>
 * The peer is the remote end: fd.rip, and fd.sip/fd.dip of a connect or fd.cip of an accept
 * (io.eunomia.rules.EventFields: the local end is an accept's server).
 */
public final class NetAnalysis {
    /** The peer of a kind: none known (bind, listen, or a peer that is not loopback), 127.x.y.z, or ::1. */
    private enum Peer { OTHER, LOOPBACK4, LOOPBACK6 }

    /** port: the server port, or -1 when any. */
    private record Kind(NetOp op, Peer peer, int port) {}

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
        Map<NetOp, PortSet> otherPorts = new EnumMap<>(NetOp.class);
        Map<NetOp, PortSet> loopbackPorts = new EnumMap<>(NetOp.class);
        for (NetOp op : NetOp.values()) {
            other.add(op);
            otherPorts.put(op, ports(c, op, Peer.OTHER));
            if (op == NetOp.CONNECT || op == NetOp.ACCEPT) {
                loopback.add(op);
                loopbackPorts.put(op, ports(c, op, Peer.LOOPBACK4).plus(ports(c, op, Peer.LOOPBACK6)));
            }
        }
        return new NetInterest(other, loopback, otherPorts, loopbackPorts); // an empty port set drops its operation
    }

    /** The server ports at which the condition may hold for op's events with this peer. */
    private PortSet ports(Cond c, NetOp op, Peer peer) {
        TreeSet<Integer> starts = new TreeSet<>(List.of(0));
        cuts(c, op, starts);
        if (starts.size() == 1) {
            return eval(c, new Kind(op, peer, -1)).yes() ? PortSet.ANY : PortSet.NONE;
        }
        List<PortSet.Range> yes = new ArrayList<>();
        for (int lo : starts) {
            Integer next = starts.higher(lo);
            if (eval(c, new Kind(op, peer, lo)).yes()) {
                yes.add(new PortSet.Range(lo, next == null ? PortSet.MAX : next - 1));
            }
        }
        return new PortSet(yes);
    }

    /** Where the comparisons of op's server port change value: each constant c starts c and c + 1. */
    private static void cuts(Cond c, NetOp op, TreeSet<Integer> starts) {
        switch (c) {
            case Cond.All a -> a.terms().forEach(t -> cuts(t, op, starts));
            case Cond.Any a -> a.terms().forEach(t -> cuts(t, op, starts));
            case Cond.Neg n -> cuts(n.term(), op, starts);
            case Cond.Has h -> { }
            case Cond.Test t -> {
                if (isServerPort(t.field().name(), op)) {
                    for (String v : t.values()) {
                        long n = Long.parseLong(v);
                        for (long at : new long[] {n, n + 1}) {
                            if (at > 0 && at <= PortSet.MAX) {
                                starts.add((int) at);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A field that holds an event's server port (EventFields.serverPort): what the sensor's port filter judges. */
    private static boolean isServerPort(String field, NetOp op) {
        return switch (field) {
            case "fd.sport", "fd.dport" -> true;
            case "fd.rport" -> op == NetOp.CONNECT;
            case "fd.lport" -> op != NetOp.CONNECT;
            default -> false;
        };
    }

    /** A comparison of a known port; unknown for an operator with no meaning on it. */
    private static Val port(int port, String op, List<String> vs) {
        long first = op.equals("in") || vs.isEmpty() ? 0 : Long.parseLong(vs.getFirst());
        return switch (op) {
            case "=" -> Val.of(port == first);
            case "!=" -> Val.of(port != first);
            case "<" -> Val.of(port < first);
            case "<=" -> Val.of(port <= first);
            case ">" -> Val.of(port > first);
            case ">=" -> Val.of(port >= first);
            case "in" -> Val.of(vs.stream().anyMatch(v -> Long.parseLong(v) == port));
            default -> Val.UNKNOWN;
        };
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
        if (k.port() >= 0 && isServerPort(name, k.op())) {
            return port(k.port(), t.op(), t.values());
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
