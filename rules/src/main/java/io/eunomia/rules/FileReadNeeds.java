package io.eunomia.rules;

import io.eunomia.event.path.PathPrefixes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which successful read-only opens (no write access, O_CREAT, O_TRUNC, O_APPEND or O_TMPFILE) the
 * rules of a base can match. Almost every open is one (libraries, configuration) and rules care
 * about reads of a few sensitive files only, so the file sensor keeps the other reads in the kernel
 * (its read filter); writes, failed opens and the other file operations always come, but for the
 * read-only opens of missing files (ENOENT), bounded the same way by a second instance
 * ({@link RuleBase#missingReads()}, {@link #MISSING_ANNOTATION}), and for the calls that set explicit
 * times on a file ({@link RuleBase#timesSet()}, {@link #TIMES_ANNOTATION}).
 * <p>
 * A YAML rule's reads are inferred from its condition: {@code fd.name}/{@code fd.directory} tests
 * bound them, and conditions no read can satisfy ({@code evt.is_open_write = true},
 * {@code evt.failed = true}, {@code evt.type = unlink}) need none. The compiler writes the result
 * into the generated DRL as {@code @fileReads}. A DRL rule declares its reads the same way:
 * {@code @fileReads("none")} or {@code @fileReads("/etc/shadow,/root/.ssh/")}; one that reads
 * {@code FileEvent} without the annotation needs every read.
 *
 * @param all       some rule can match a read of any file: nothing may be filtered
 * @param prefixes  otherwise the files whose reads rules can match, in the syntax of the sensors'
 *                  path prefixes: "/etc/shadow" is that path (and what is below it), "/root/.ssh/"
 *                  what is below that directory, "/etc/ssh/ssh_host_*" a plain string prefix;
 *                  empty: no read at all
 * @param unbounded the rules that need every read (what makes it {@code all})
 */
public record FileReadNeeds(boolean all, List<String> prefixes, List<String> unbounded) {
    /** The DRL rule annotation that declares a rule's reads. */
    public static final String ANNOTATION = "fileReads";
    /**
     * The DRL rule annotation that declares which read-only opens of a missing file (ENOENT) a rule
     * can match, in the same syntax: the file sensor's miss filter keeps the others in the kernel
     * (git's and the loader's probes). A rule that reads {@code FileEvent} without it needs them all.
     */
    public static final String MISSING_ANNOTATION = "missingReads";
    /**
     * The DRL rule annotation that declares which calls setting explicit times on a file (evt.type utimes:
     * tar x, cp -p and rsync -t make one per file) a rule can match, in the same syntax: the file sensor's
     * times filter keeps the others in the kernel. A rule that reads {@code FileEvent} without it needs them all.
     */
    public static final String TIMES_ANNOTATION = "timesSet";
    /** No read at all. */
    public static final FileReadNeeds NONE = new FileReadNeeds(false, List.of(), List.of());
    /** Every read (nothing known about the rules). */
    public static final FileReadNeeds ALL = new FileReadNeeds(true, List.of(), List.of());
    /** Past this many prefixes the filter saves little: every read is reported (and they always fit the kernel's trie). */
    public static final int MAX_PREFIXES = 512;

    public FileReadNeeds {
        prefixes = all ? List.of() : List.copyOf(new TreeSet<>(prefixes));
        unbounded = List.copyOf(unbounded);
        if (prefixes.size() > MAX_PREFIXES) {
            throw new IllegalArgumentException(prefixes.size() + " read prefixes, at most " + MAX_PREFIXES);
        }
    }

    /** One rule's reads: {@code reads} empty means every read. */
    static FileReadNeeds ofRule(String rule, Optional<List<String>> reads) {
        return reads.filter(r -> r.size() <= MAX_PREFIXES).map(r -> new FileReadNeeds(false, r, List.of()))
                .orElse(new FileReadNeeds(true, List.of(), List.of(rule)));
    }

    /** What either needs. */
    public FileReadNeeds plus(FileReadNeeds o) {
        List<String> rules = new ArrayList<>(unbounded);
        rules.addAll(o.unbounded);
        if (all || o.all) {
            return new FileReadNeeds(true, List.of(), rules);
        }
        TreeSet<String> both = new TreeSet<>(prefixes);
        both.addAll(o.prefixes);
        if (both.size() > MAX_PREFIXES) {
            return new FileReadNeeds(true, List.of(), List.of("(more than " + MAX_PREFIXES + " read prefixes)"));
        }
        return new FileReadNeeds(false, List.copyOf(both), List.of());
    }

    /** The read filter's setting: empty = off (every read), else the prefixes. */
    public Optional<List<String>> filter() {
        return all ? Optional.empty() : Optional.of(prefixes);
    }

    /** One line for people: "all (unbounded: A, B)", "none", or the prefixes. */
    public String describe() {
        if (all) {
            return "all" + (unbounded.isEmpty() ? "" : " (needed by: " + String.join(", ", unbounded) + ")");
        }
        return prefixes.isEmpty() ? "none" : String.join(" ", prefixes);
    }

    /** The annotation value for a rule's reads: "none" or the prefixes joined by ','. */
    public static String format(List<String> prefixes) {
        return prefixes.isEmpty() ? "none" : String.join(",", prefixes);
    }

    /**
     * Parses an annotation value: "none", "all", or absolute paths separated by ','.
     *
     * @return empty for "all"
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    public static Optional<List<String>> parse(String value) {
        return parse(value, ANNOTATION);
    }

    /** {@link #parse(String)} for the value of the annotation named {@code annotation} (its errors name it). */
    public static Optional<List<String>> parse(String value, String annotation) {
        String v = value.strip();
        if (v.equals("none")) {
            return Optional.of(List.of());
        }
        if (v.equals("all")) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (String p : Arrays.stream(v.split(",", -1)).map(String::strip).toList()) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("@" + annotation + "(\"" + value + "\"): expected \"none\", \"all\" or "
                        + "absolute paths separated by ',' (e.g. \"/etc/shadow,/root/.ssh/\")");
            }
            try {
                PathPrefixes.of(List.of(p)); // what the sensor will accept
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@" + annotation + ": " + e.getMessage(), e);
            }
            out.add(p);
        }
        if (out.size() > MAX_PREFIXES) {
            throw new IllegalArgumentException("@" + annotation + ": " + out.size() + " paths, at most " + MAX_PREFIXES);
        }
        return Optional.of(List.copyOf(out));
    }
}
