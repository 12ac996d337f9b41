package io.eunomia.abi;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Syscall names and numbers of one architecture, from the bundled {@code syscalls-<arch>.tsv}
 * (generated from the kernel UAPI headers by {@code abi/src/main/scripts/gen-syscalls.py}).
 * Immutable; number-to-name is an array lookup, as it runs for every syscall event.
 */
public final class SyscallTable {
    /** Real numbers are below 1024 (x32's 512+ excepted, which we do not list); this only bounds the array. */
    static final int MAX_NUMBER = 4095;
    static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private static final ConcurrentMap<Arch, SyscallTable> TABLES = new ConcurrentHashMap<>();

    private final Arch arch;
    private final String[] byNumber;
    private final Map<String, Integer> byName;
    private final Set<String> names;

    private SyscallTable(Arch arch, List<Tsv.Row> rows) {
        this.arch = arch;
        int max = rows.stream().mapToInt(Tsv.Row::number).max().orElseThrow();
        this.byNumber = new String[max + 1];
        Map<String, Integer> map = HashMap.newHashMap(rows.size());
        for (Tsv.Row row : rows) {
            byNumber[row.number()] = row.name();
            map.put(row.name(), row.number());
        }
        this.byName = Map.copyOf(map);
        LinkedHashSet<String> ordered = new LinkedHashSet<>();
        for (String name : byNumber) {
            if (name != null) {
                ordered.add(name);
            }
        }
        this.names = Collections.unmodifiableSequencedSet(ordered);
    }

    /** The table of {@code arch}, read once. Throws {@link TableFormatException} if the resource is broken. */
    public static SyscallTable of(Arch arch) {
        return TABLES.computeIfAbsent(arch,
                a -> new SyscallTable(a, Tsv.readResource(resourceName(a), NAME, MAX_NUMBER)));
    }

    static String resourceName(Arch arch) {
        return "syscalls-" + arch.id() + ".tsv";
    }

    /** A table from rows read elsewhere (tests). */
    static SyscallTable fromRows(Arch arch, List<Tsv.Row> rows) {
        return new SyscallTable(arch, rows);
    }

    public Arch arch() {
        return arch;
    }

    public OptionalInt number(String name) {
        Integer nr = byName.get(name);
        return nr == null ? OptionalInt.empty() : OptionalInt.of(nr);
    }

    public Optional<String> name(int nr) {
        return Optional.ofNullable(lookup(nr));
    }

    /** The name, or {@code syscall_<nr>} for a number we do not know (newer kernel, foreign ABI). */
    public String nameOrNumber(int nr) {
        String name = lookup(nr);
        return name != null ? name : "syscall_" + nr;
    }

    /** All names, in number order. */
    public Set<String> names() {
        return names;
    }

    public int size() {
        return byName.size();
    }

    /** The highest syscall number in the table. */
    public int maxNumber() {
        return byNumber.length - 1;
    }

    private String lookup(int nr) {
        return nr >= 0 && nr < byNumber.length ? byNumber[nr] : null;
    }

    @Override
    public String toString() {
        return "SyscallTable[" + arch.id() + ", " + size() + " syscalls, max " + maxNumber() + "]";
    }
}
