package io.eunomia.event;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A set of ports (0–65535) as sorted, disjoint, non-adjacent ranges: the server ports some rule can
 * match ({@link NetInterest}). {@link #ANY} is every port.
 */
public record PortSet(List<Range> ranges) {
    public static final int MAX = 65535;
    public static final PortSet ANY = new PortSet(List.of(new Range(0, MAX)));
    public static final PortSet NONE = new PortSet(List.of());

    /** Ports lo to hi, both included. */
    public record Range(int lo, int hi) {
        public Range {
            if (lo < 0 || hi > MAX || lo > hi) {
                throw new IllegalArgumentException("not a port range: " + lo + "-" + hi);
            }
        }
    }

    public PortSet {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(Range::lo));
        List<Range> merged = new ArrayList<>();
        for (Range r : sorted) {
            Range last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && r.lo() <= last.hi() + 1) {
                merged.set(merged.size() - 1, new Range(last.lo(), Math.max(last.hi(), r.hi())));
            } else {
                merged.add(r);
            }
        }
        ranges = List.copyOf(merged);
    }

    public static PortSet of(int... ports) {
        List<Range> rs = new ArrayList<>();
        for (int p : ports) {
            rs.add(new Range(p, p));
        }
        return new PortSet(rs);
    }

    public boolean any() {
        return equals(ANY);
    }

    public boolean contains(int port) {
        for (Range r : ranges) {
            if (port >= r.lo() && port <= r.hi()) {
                return true;
            }
        }
        return false;
    }

    public PortSet plus(PortSet o) {
        List<Range> all = new ArrayList<>(ranges);
        all.addAll(o.ranges);
        return new PortSet(all);
    }

    /** "22 443 8000-8100" (the form {@link #parse} reads). */
    public String describe() {
        List<String> items = new ArrayList<>();
        for (Range r : ranges) {
            items.add(r.lo() == r.hi() ? Integer.toString(r.lo()) : r.lo() + "-" + r.hi());
        }
        return String.join(" ", items);
    }

    /**
     * Reads ports and ranges separated by spaces, e.g. "22 443 8000-8100".
     *
     * @throws IllegalArgumentException naming the item that is not a port or a range
     */
    public static PortSet parse(String text) {
        List<Range> rs = new ArrayList<>();
        for (String item : text.strip().split("\\s+", -1)) {
            int dash = item.indexOf('-');
            try {
                int lo = Integer.parseInt(dash < 0 ? item : item.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(item.substring(dash + 1));
                rs.add(new Range(lo, hi));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + item + "' is not a port (0-" + MAX + ") or a range of them such as 8000-8100");
            }
        }
        return new PortSet(rs);
    }
}
