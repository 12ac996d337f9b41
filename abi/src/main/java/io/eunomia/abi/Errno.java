package io.eunomia.abi;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * errno names and numbers of Linux on x86_64 and aarch64 (asm-generic), from the bundled
 * {@code errno.tsv} generated from the UAPI headers, plus the kernel-internal ENOTSUPP (524) that
 * BPF calls return.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;

    private static final int ENOTSUPP = 524;
    private static final String[] BY_NUMBER;
    private static final Map<String, Integer> BY_NAME;

    static {
        List<Tsv.Row> rows = Tsv.readResource("errno.tsv", Pattern.compile("E[A-Z0-9]+"), 1023);
        BY_NUMBER = new String[ENOTSUPP + 1];
        Map<String, Integer> byName = HashMap.newHashMap(rows.size() + 3);
        for (Tsv.Row row : rows) {
            BY_NUMBER[row.number()] = row.name();
            byName.put(row.name(), row.number());
        }
        BY_NUMBER[ENOTSUPP] = "ENOTSUPP";
        byName.put("ENOTSUPP", ENOTSUPP);
        // Aliases the generator leaves out of the number->name direction.
        byName.put("EWOULDBLOCK", byName.get("EAGAIN"));
        byName.put("EDEADLOCK", byName.get("EDEADLK"));
        BY_NAME = Map.copyOf(byName);
    }

    private Errno() {}

    /** "ENOENT" for 2 (or -2), "E123" when the number has no name. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        return e < BY_NUMBER.length && BY_NUMBER[e] != null ? BY_NUMBER[e] : "E" + e;
    }

    /** The number of "EPERM" (case-insensitive), empty for an unknown name. */
    public static OptionalInt number(String name) {
        Integer n = name == null ? null : BY_NAME.get(name.strip().toUpperCase(Locale.ROOT));
        return n == null ? OptionalInt.empty() : OptionalInt.of(n);
    }
}
