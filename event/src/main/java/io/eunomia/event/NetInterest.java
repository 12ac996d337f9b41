package io.eunomia.event;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which socket events some rule can match, by operation and, for connects and accepts, by whether
 * the peer is this host's loopback ({@link #loopback(NetEvent)}). The network sensor keeps the
 * others in the kernel (net.bpf.c, net_skip): a server taking one connection per request and a
 * rule set about outbound connects only would otherwise pay a ring record and a pass through the
 * rules for every accept.
 *
 * @param other    operations whose events with a peer that is not loopback (or none) are wanted
 * @param loopback operations whose events with a loopback peer are wanted; for bind and listen,
 *                 which have no peer, the same as in {@code other}
 */
public record NetInterest(Set<NetOp> other, Set<NetOp> loopback) {
    /** The operations with a peer that can be loopback (first: the constants below are built with it). */
    private static final Set<NetOp> PEERED = EnumSet.of(NetOp.CONNECT, NetOp.ACCEPT);
    /** The DRL rule annotation that declares a rule's socket events. */
    public static final String ANNOTATION = "netEvents";
    /** Every socket event (nothing known about the rules). */
    public static final NetInterest ALL = new NetInterest(EnumSet.allOf(NetOp.class), EnumSet.allOf(NetOp.class));
    public static final NetInterest NONE = new NetInterest(Set.of(), Set.of());

    public NetInterest {
        EnumSet<NetOp> o = EnumSet.noneOf(NetOp.class);
        o.addAll(other);
        EnumSet<NetOp> l = EnumSet.noneOf(NetOp.class);
        l.addAll(loopback);
        for (NetOp op : NetOp.values()) {
            if (!PEERED.contains(op) && (o.contains(op) || l.contains(op))) {
                o.add(op);
                l.add(op);
            }
        }
        other = Set.copyOf(o);
        loopback = Set.copyOf(l);
    }

    /**
     * Whether the event's peer is this host: a connect's or an accept's remote address in 127.0.0.0/8
     * or ::1 (an IPv4-mapped 127.x.y.z shows as IPv4). What net.bpf.c's net_loopback tests on the record.
     */
    public static boolean loopback(NetEvent e) {
        if (!PEERED.contains(e.op()) || (e.family() != SocketFamily.INET && e.family() != SocketFamily.INET6)) {
            return false;
        }
        String r = e.remoteAddr();
        return r.startsWith("127.") || r.equals("::1");
    }

    /** Whether some rule can match this event. */
    public boolean wants(NetEvent e) {
        return (loopback(e) ? loopback : other).contains(e.op());
    }

    public boolean all() {
        return equals(ALL);
    }

    /** What either wants. */
    public NetInterest plus(NetInterest o) {
        EnumSet<NetOp> ot = EnumSet.noneOf(NetOp.class);
        ot.addAll(other);
        ot.addAll(o.other);
        EnumSet<NetOp> lo = EnumSet.noneOf(NetOp.class);
        lo.addAll(loopback);
        lo.addAll(o.loopback);
        return new NetInterest(ot, lo);
    }

    /** One line for people and the annotation: "all", "none", or e.g. "connect,accept:not-loopback". */
    public String describe() {
        if (all()) {
            return "all";
        }
        List<String> items = new ArrayList<>();
        for (NetOp op : NetOp.values()) {
            String n = op.name().toLowerCase(Locale.ROOT);
            boolean o = other.contains(op);
            boolean l = loopback.contains(op);
            if (o && l) {
                items.add(n);
            } else if (o) {
                items.add(n + ":not-loopback");
            } else if (l) {
                items.add(n + ":loopback");
            }
        }
        return items.isEmpty() ? "none" : String.join(",", items);
    }

    /**
     * Parses an annotation value: "all", "none", or items separated by ',': an operation (connect,
     * accept, bind, listen) for all its events, connect or accept with ":loopback" or
     * ":not-loopback" for those with or without a loopback peer.
     *
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    public static NetInterest parse(String value) {
        String v = value.strip();
        if (v.equals("all")) {
            return ALL;
        }
        if (v.equals("none")) {
            return NONE;
        }
        EnumSet<NetOp> other = EnumSet.noneOf(NetOp.class);
        EnumSet<NetOp> loop = EnumSet.noneOf(NetOp.class);
        for (String item : v.split(",", -1)) {
            String it = item.strip();
            int colon = it.indexOf(':');
            String opName = colon < 0 ? it : it.substring(0, colon);
            String which = colon < 0 ? "" : it.substring(colon + 1);
            Optional<NetOp> op = java.util.Arrays.stream(NetOp.values())
                    .filter(o -> o.name().equalsIgnoreCase(opName)).findFirst();
            boolean peered = op.isPresent() && PEERED.contains(op.get());
            if (op.isEmpty() || !(which.isEmpty() || (peered && (which.equals("loopback") || which.equals("not-loopback"))))) {
                throw new IllegalArgumentException("@" + ANNOTATION + "(\"" + value + "\"): '" + it + "' is not an item: expected "
                        + "\"all\", \"none\" or items separated by ',' among connect, accept, bind, listen, connect:loopback, "
                        + "connect:not-loopback, accept:loopback, accept:not-loopback");
            }
            if (!which.equals("loopback")) {
                other.add(op.get());
            }
            if (!which.equals("not-loopback")) {
                loop.add(op.get());
            }
        }
        return new NetInterest(other, loop);
    }
}
