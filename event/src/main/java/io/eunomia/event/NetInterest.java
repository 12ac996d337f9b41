package io.eunomia.event;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which socket events some rule can match, by operation and, for connects and accepts, by whether
 * the peer is this host's loopback ({@link #loopback(NetEvent)}), and for each of these, on which
 * server ports (fd.sport/fd.dport: a connect's remote port, an accept's, bind's or listen's local
 * one) of an inet or inet6 socket. The network sensor keeps the others in the kernel (net.bpf.c,
 * net_skip and net_ports): a server taking one connection per request and a rule set about
 * outbound connects only would otherwise pay a ring record and a pass through the rules for every
 * accept, and a client connecting to a local service once per request (wrk, a health check) one
 * for every connect to a port no rule names.
 *
 * @param other         operations whose events with a peer that is not loopback (or none) are wanted
 * @param loopback      operations whose events with a loopback peer are wanted; for bind and listen,
 *                      which have no peer, the same as in {@code other}
 * @param otherPorts    for operations of {@code other}, the server ports wanted when not every one is
 * @param loopbackPorts the same for {@code loopback}
 */
public record NetInterest(Set<NetOp> other, Set<NetOp> loopback, Map<NetOp, PortSet> otherPorts,
                          Map<NetOp, PortSet> loopbackPorts) {
    /** The operations with a peer that can be loopback (first: the constants below are built with it). */
    private static final Set<NetOp> PEERED = EnumSet.of(NetOp.CONNECT, NetOp.ACCEPT);
    /** The DRL rule annotation that declares a rule's socket events. */
    public static final String ANNOTATION = "netEvents";
    /** Every socket event (nothing known about the rules). */
    public static final NetInterest ALL = new NetInterest(EnumSet.allOf(NetOp.class), EnumSet.allOf(NetOp.class));
    public static final NetInterest NONE = new NetInterest(Set.of(), Set.of());

    /** Every server port of the operations named. */
    public NetInterest(Set<NetOp> other, Set<NetOp> loopback) {
        this(other, loopback, Map.of(), Map.of());
    }

    public NetInterest {
        EnumSet<NetOp> o = EnumSet.noneOf(NetOp.class);
        o.addAll(other);
        EnumSet<NetOp> l = EnumSet.noneOf(NetOp.class);
        l.addAll(loopback);
        Map<NetOp, PortSet> oPorts = new EnumMap<>(NetOp.class);
        Map<NetOp, PortSet> lPorts = new EnumMap<>(NetOp.class);
        for (NetOp n : NetOp.values()) {
            PortSet po = o.contains(n) ? otherPorts.getOrDefault(n, PortSet.ANY) : PortSet.NONE;
            PortSet pl = l.contains(n) ? loopbackPorts.getOrDefault(n, PortSet.ANY) : PortSet.NONE;
            if (!PEERED.contains(n)) {
                po = po.plus(pl);
                pl = po;
            }
            keep(n, po, o, oPorts);
            keep(n, pl, l, lPorts);
        }
        other = Set.copyOf(o);
        loopback = Set.copyOf(l);
        otherPorts = Map.copyOf(oPorts);
        loopbackPorts = Map.copyOf(lPorts);
    }

    /** Records ports for n: no port drops the operation, every port needs no entry. */
    private static void keep(NetOp n, PortSet ports, Set<NetOp> ops, Map<NetOp, PortSet> portsOf) {
        if (ports.ranges().isEmpty()) {
            ops.remove(n);
        } else {
            ops.add(n);
            if (!ports.any()) {
                portsOf.put(n, ports);
            }
        }
    }

    /** The server ports wanted for op's events with a loopback peer or not: none when the operation is not wanted. */
    public PortSet ports(NetOp op, boolean loopbackPeer) {
        if (!(loopbackPeer ? loopback : other).contains(op)) {
            return PortSet.NONE;
        }
        return (loopbackPeer ? loopbackPorts : otherPorts).getOrDefault(op, PortSet.ANY);
    }

    /** The port the filter judges: the server's (a connect's remote port, else the local one), as fd.sport. */
    public static int serverPort(NetEvent e) {
        return e.op() == NetOp.CONNECT ? e.remotePort() : e.localPort();
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
        boolean ported = e.family() == SocketFamily.INET || e.family() == SocketFamily.INET6;
        PortSet ports = ports(e.op(), loopback(e));
        return !ports.ranges().isEmpty() && (!ported || ports.contains(serverPort(e)));
    }

    public boolean all() {
        return equals(ALL);
    }

    /** What either wants. */
    public NetInterest plus(NetInterest o) {
        EnumSet<NetOp> ot = EnumSet.noneOf(NetOp.class);
        EnumSet<NetOp> lo = EnumSet.noneOf(NetOp.class);
        Map<NetOp, PortSet> otp = new EnumMap<>(NetOp.class);
        Map<NetOp, PortSet> lop = new EnumMap<>(NetOp.class);
        for (NetOp n : NetOp.values()) {
            otp.put(n, ports(n, false).plus(o.ports(n, false)));
            lop.put(n, ports(n, true).plus(o.ports(n, true)));
            ot.add(n);
            lo.add(n);
        }
        return new NetInterest(ot, lo, otp, lop);
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
            PortSet po = ports(op, false);
            PortSet pl = ports(op, true);
            if (o && l && po.equals(pl)) {
                items.add(n + ports(po));
            } else {
                if (o) {
                    items.add(n + ":not-loopback" + ports(po));
                }
                if (l) {
                    items.add(n + ":loopback" + ports(pl));
                }
            }
        }
        return items.isEmpty() ? "none" : String.join(",", items);
    }

    private static String ports(PortSet p) {
        return p.any() ? "" : "[" + p.describe() + "]";
    }

    /**
     * Parses an annotation value: "all", "none", or items separated by ',': an operation (connect,
     * accept, bind, listen) for all its events, connect or accept with ":loopback" or
     * ":not-loopback" for those with or without a loopback peer, each optionally followed by the
     * server ports wanted in brackets, e.g. "connect:loopback[22 6443 8000-8100]" (none: every port).
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
        NetInterest result = NONE;
        for (String item : v.split(",", -1)) {
            String it = item.strip();
            int bracket = it.indexOf('[');
            String head = bracket < 0 ? it : it.substring(0, bracket).strip();
            int colon = head.indexOf(':');
            String opName = colon < 0 ? head : head.substring(0, colon);
            String which = colon < 0 ? "" : head.substring(colon + 1);
            Optional<NetOp> op = java.util.Arrays.stream(NetOp.values())
                    .filter(o -> o.name().equalsIgnoreCase(opName)).findFirst();
            boolean peered = op.isPresent() && PEERED.contains(op.get());
            if (op.isEmpty() || !(which.isEmpty() || (peered && (which.equals("loopback") || which.equals("not-loopback"))))
                    || (bracket >= 0 && !it.endsWith("]"))) {
                throw new IllegalArgumentException("@" + ANNOTATION + "(\"" + value + "\"): '" + it + "' is not an item: expected "
                        + "\"all\", \"none\" or items separated by ',' among connect, accept, bind, listen, connect:loopback, "
                        + "connect:not-loopback, accept:loopback, accept:not-loopback, each optionally with ports such as [22 8000-8100]");
            }
            PortSet ports;
            try {
                ports = bracket < 0 ? PortSet.ANY : PortSet.parse(it.substring(bracket + 1, it.length() - 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@" + ANNOTATION + "(\"" + value + "\"): '" + it + "': " + e.getMessage());
            }
            Set<NetOp> one = EnumSet.of(op.get());
            Map<NetOp, PortSet> at = Map.of(op.get(), ports);
            result = result.plus(new NetInterest(which.equals("loopback") ? Set.of() : one,
                    which.equals("not-loopback") ? Set.of() : one, at, at));
        }
        return result;
    }
}
