package io.eunomia.profiler.internal;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFormatException;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import io.eunomia.profiler.SyscallUse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Profile text → {@link Profile}, strictly: unknown keys, missing keys, wrong types, unknown
 * syscall or capability names and a file that ends early are errors at their line and column.
 */
public final class ProfileReader {
    private static final Pattern UNKNOWN_SYSCALL = Pattern.compile("syscall_(\\d{1,4})");

    private final String file;
    private final String text;

    private ProfileReader(String file, String text) {
        this.file = file;
        this.text = text;
    }

    public static Profile read(String file, String text) throws ProfileFormatException {
        return new ProfileReader(file, text).profile();
    }

    private ProfileFormatException err(Node at, String message) {
        return new ProfileFormatException(file, at.line(), at.column(), message);
    }

    private ProfileFormatException errAtEnd(String message) {
        String[] lines = text.split("\n", -1);
        int line = lines.length;
        if (line > 1 && lines[line - 1].isEmpty()) {
            line--;
        }
        return new ProfileFormatException(file, Math.max(line, 1), 1, message);
    }

    private Profile profile() throws ProfileFormatException {
        Node root = NodeReader.read(file, text);
        if (root == null) {
            throw new ProfileFormatException(file, 1, 1, "empty file; expected a learned profile (apiVersion: "
                    + Profile.API_VERSION + ")");
        }
        Node.Mapping doc = mapping(root, "the profile");
        Node version = doc.entries().get("apiVersion");
        if (version == null) {
            throw err(doc, "no apiVersion: not a learned profile; expected apiVersion: " + Profile.API_VERSION);
        }
        String v = string(version, "apiVersion");
        if (!Profile.API_VERSION.equals(v)) {
            throw err(version, "unsupported profile version '" + v + "'; this build reads apiVersion: "
                    + Profile.API_VERSION);
        }
        String kind = string(required(doc, "kind"), "kind");
        if (!Profile.KIND.equals(kind)) {
            throw err(doc.entries().get("kind"), "kind '" + kind + "' is not a learned profile; expected kind: "
                    + Profile.KIND);
        }
        allowOnly(doc, Set.of("apiVersion", "kind", "metadata", "architectures", "capabilities", "executables"));
        checkComplete(root);
        ProfileMetadata meta = metadata(mapping(required(doc, "metadata"), "metadata"));
        var arches = architectures(mapping(required(doc, "architectures"), "architectures"));
        Node.Mapping caps = mapping(required(doc, "capabilities"), "capabilities");
        allowOnly(caps, Set.of("granted", "denied"));
        var granted = capabilities(required(caps, "granted"));
        var denied = capabilities(required(caps, "denied"));
        var exes = executables(required(doc, "executables"));
        try {
            return new Profile(meta, arches, granted, denied, exes);
        } catch (IllegalArgumentException e) {
            throw err(doc, e.getMessage());
        }
    }

    /**
     * A block-style profile ends with {@link ProfileWriter#END_MARKER}: a file cut at a line
     * boundary is still valid YAML, and without the marker it would pass as a smaller profile.
     * A flow-style (JSON) document ends with its closing brace, which the parser checks.
     */
    private void checkComplete(Node root) throws ProfileFormatException {
        if (text.stripLeading().startsWith("{")) {
            return;
        }
        if (!text.stripTrailing().endsWith(ProfileWriter.END_MARKER)) {
            throw errAtEnd("the file ends without the line '" + ProfileWriter.END_MARKER
                    + "': truncated? (a profile written by hand must end with that line too)");
        }
    }

    private ProfileMetadata metadata(Node.Mapping m) throws ProfileFormatException {
        allowOnly(m, Set.of("name", "image", "runtimes", "container_ids", "user_ids", "no_new_privs",
                "learned_from", "learned_until", "warnings"));
        String name = string(required(m, "name"), "name");
        if (name.isBlank()) {
            throw err(m.entries().get("name"), "empty name; expected the container's or image's name");
        }
        List<RuntimeInfo> runtimes = new ArrayList<>();
        for (Node n : seq(required(m, "runtimes"), "runtimes").items()) {
            Node.Mapping r = mapping(n, "a runtime");
            allowOnly(r, Set.of("name", "version", "manager"));
            String rn = string(required(r, "name"), "runtime name");
            if (rn.isBlank()) {
                throw err(r, "empty runtime name; expected runc, crun, ... or unknown");
            }
            runtimes.add(new RuntimeInfo(rn, optionalString(r, "version"), optionalString(r, "manager")));
        }
        List<String> ids = strings(required(m, "container_ids"), "container_ids");
        SortedSet<Integer> users = new TreeSet<>();
        for (Node n : seq(required(m, "user_ids"), "user_ids").items()) {
            long uid = integer(n, "a user id");
            if (uid < 0 || uid > 0xFFFF_FFFEL) {
                throw err(n, "user id " + uid + " out of range; expected 0..4294967294");
            }
            users.add((int) uid);
        }
        Boolean nnp = m.entries().containsKey("no_new_privs") ? bool(m.entries().get("no_new_privs"), "no_new_privs") : null;
        Node fromNode = required(m, "learned_from");
        Instant from = instant(fromNode, "learned_from");
        Node untilNode = required(m, "learned_until");
        Instant until = instant(untilNode, "learned_until");
        if (until.isBefore(from)) {
            throw err(untilNode, "learned_until is before learned_from; expected a later time");
        }
        List<String> warnings = m.entries().containsKey("warnings") ? strings(m.entries().get("warnings"), "warnings") : List.of();
        return new ProfileMetadata(name, string(required(m, "image"), "image"), new TreeSet<>(runtimes), ids, users, nnp,
                from, until, warnings);
    }

    private TreeMap<Arch, ArchProfile> architectures(Node.Mapping m) throws ProfileFormatException {
        TreeMap<Arch, ArchProfile> out = new TreeMap<>();
        for (var e : m.entries().entrySet()) {
            Node.Scalar key = m.keys().get(e.getKey());
            Arch arch = archName(key);
            Node.Mapping a = mapping(e.getValue(), "architecture " + arch.id());
            allowOnly(a, Set.of("workload", "runtime", "arguments"));
            SyscallTable table = SyscallTable.of(arch);
            var workload = syscalls(required(a, "workload"), table);
            var runtime = syscalls(required(a, "runtime"), table);
            List<ArgumentValues> args = new ArrayList<>();
            Set<ArgumentSpec> seen = new java.util.HashSet<>();
            if (a.entries().containsKey("arguments")) {
                for (Node n : seq(a.entries().get("arguments"), "arguments").items()) {
                    ArgumentValues v = argument(n, arch);
                    if (!seen.add(v.spec())) {
                        throw err(n, v.spec().syscall() + " argument " + v.spec().index()
                                + " listed twice; expected one entry per argument");
                    }
                    args.add(v);
                }
            }
            out.put(arch, new ArchProfile(arch, workload, runtime, args));
        }
        return out;
    }

    private Arch archName(Node.Scalar key) throws ProfileFormatException {
        for (Arch a : Arch.values()) {
            if (a.id().equals(key.text())) {
                return a;
            }
        }
        throw err(key, "unknown architecture '" + key.text() + "'; expected one of " + archIds());
    }

    private static String archIds() {
        List<String> ids = new ArrayList<>();
        for (Arch a : Arch.values()) {
            ids.add(a.id());
        }
        return String.join(", ", ids);
    }

    private TreeMap<String, SyscallUse> syscalls(Node list, SyscallTable table) throws ProfileFormatException {
        TreeMap<String, SyscallUse> out = new TreeMap<>();
        for (Node n : seq(list, "a list of syscalls").items()) {
            Node.Mapping m = mapping(n, "a syscall ({name: ..., first_seen: ...})");
            allowOnly(m, Set.of("name", "first_seen", "count"));
            Node nameNode = required(m, "name");
            String name = syscallName(nameNode, table);
            Long count = m.entries().containsKey("count") ? nonNegative(m.entries().get("count"), "count") : null;
            if (out.put(name, new SyscallUse(name, instant(required(m, "first_seen"), "first_seen"), count)) != null) {
                throw err(nameNode, "syscall " + name + " listed twice; expected each syscall once");
            }
        }
        return out;
    }

    private String syscallName(Node n, SyscallTable table) throws ProfileFormatException {
        String name = string(n, "a syscall name");
        if (table.number(name).isPresent()) {
            return name;
        }
        var unknown = UNKNOWN_SYSCALL.matcher(name);
        if (unknown.matches() && table.name(Integer.parseInt(unknown.group(1))).isEmpty()) {
            return name;   // a number this build's table does not name (a newer kernel's call)
        }
        throw err(n, "unknown syscall '" + name + "' for " + table.arch().id()
                + "; expected a name of its syscall table, or syscall_<number> for an unnamed number");
    }

    private ArgumentValues argument(Node n, Arch arch) throws ProfileFormatException {
        Node.Mapping m = mapping(n, "an argument ({syscall: ..., index: ..., values: [...]})");
        allowOnly(m, Set.of("syscall", "index", "name", "mask", "values", "overflow", "first_seen"));
        Node sysNode = required(m, "syscall");
        String syscall = string(sysNode, "syscall");
        Node indexNode = required(m, "index");
        long index = integer(indexNode, "index");
        ArgumentSpec spec = ArgumentSpec.of(syscall, (int) Math.max(0, Math.min(index, 5)))
                .filter(s -> s.index() == index)
                .orElseThrow(() -> err(sysNode, "no learned argument " + syscall + " #" + index + "; expected one of "
                        + learnedArguments()));
        if (spec.number(arch).isEmpty()) {
            throw err(sysNode, arch.id() + " has no syscall " + syscall);
        }
        if (m.entries().containsKey("mask")) {
            Node maskNode = m.entries().get("mask");
            long mask = integer(maskNode, "mask");
            if (mask != spec.mask()) {
                throw err(maskNode, "mask " + ProfileWriter.hex(mask) + " for " + syscall + " #" + index
                        + " differs from the mask this version learns with; expected " + ProfileWriter.hex(spec.mask()));
            }
        }
        TreeSet<Long> values = new TreeSet<>();
        for (Node v : seq(required(m, "values"), "values").items()) {
            long value = integer(v, "a value");
            if (spec.apply(value) != value) {
                throw err(v, "value " + ProfileWriter.hex(value) + " has bits outside the mask "
                        + ProfileWriter.hex(spec.mask()) + "; expected masked values");
            }
            values.add(value);
        }
        boolean overflow = m.entries().containsKey("overflow") && bool(m.entries().get("overflow"), "overflow");
        return new ArgumentValues(spec, values, overflow, instant(required(m, "first_seen"), "first_seen"));
    }

    private static String learnedArguments() {
        List<String> all = new ArrayList<>();
        for (ArgumentSpec s : ArgumentSpec.LEARNED) {
            all.add(s.syscall() + " #" + s.index());
        }
        return String.join(", ", all);
    }

    private TreeMap<Capability, CapabilityUse> capabilities(Node list) throws ProfileFormatException {
        TreeMap<Capability, CapabilityUse> out = new TreeMap<>();
        for (Node n : seq(list, "a list of capabilities").items()) {
            Node.Mapping m = mapping(n, "a capability ({name: CAP_..., first_seen: ...})");
            allowOnly(m, Set.of("name", "first_seen", "count", "syscalls"));
            Node nameNode = required(m, "name");
            String name = string(nameNode, "a capability name");
            Capability cap = Capability.parse(name).filter(c -> c.capName().equals(name))
                    .orElseThrow(() -> err(nameNode, "unknown capability '" + name + "'; expected a name like CAP_CHOWN"));
            Long count = m.entries().containsKey("count") ? nonNegative(m.entries().get("count"), "count") : null;
            Map<Arch, SortedSet<String>> calls = new EnumMap<>(Arch.class);
            if (m.entries().containsKey("syscalls")) {
                Node.Mapping s = mapping(m.entries().get("syscalls"), "syscalls by architecture");
                for (var e : s.entries().entrySet()) {
                    Arch arch = archName(s.keys().get(e.getKey()));
                    TreeSet<String> names = new TreeSet<>();
                    for (Node c : seq(e.getValue(), "a list of syscall names").items()) {
                        names.add(syscallName(c, SyscallTable.of(arch)));
                    }
                    calls.put(arch, names);
                }
            }
            if (out.put(cap, new CapabilityUse(cap, instant(required(m, "first_seen"), "first_seen"), count,
                    new TreeMap<>(calls))) != null) {
                throw err(nameNode, name + " listed twice; expected each capability once per list");
            }
        }
        return out;
    }

    private TreeMap<String, Executable> executables(Node list) throws ProfileFormatException {
        TreeMap<String, Executable> out = new TreeMap<>();
        for (Node n : seq(list, "a list of executables").items()) {
            Node.Mapping m = mapping(n, "an executable ({path: ..., count: ..., first_seen: ...})");
            allowOnly(m, Set.of("path", "sha256", "count", "first_seen"));
            Node pathNode = required(m, "path");
            String path = string(pathNode, "a path");
            if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
                throw err(pathNode, "path '" + path + "' is not absolute; expected the path inside the container");
            }
            TreeSet<String> hashes = new TreeSet<>();
            if (m.entries().containsKey("sha256")) {
                for (Node h : seq(m.entries().get("sha256"), "a list of sha256 digests").items()) {
                    String hash = string(h, "a sha256 digest");
                    if (!Executable.isSha256(hash)) {
                        throw err(h, "'" + hash + "' is not a sha256 digest; expected 64 lower-case hex digits");
                    }
                    hashes.add(hash);
                }
            }
            long count = nonNegative(required(m, "count"), "count");
            if (out.put(path, new Executable(path, hashes, count, instant(required(m, "first_seen"), "first_seen"))) != null) {
                throw err(pathNode, "executable " + path + " listed twice; expected each path once");
            }
        }
        return out;
    }

    // --- typed access -----------------------------------------------------------------------

    private Node required(Node.Mapping m, String key) throws ProfileFormatException {
        Node n = m.entries().get(key);
        if (n == null) {
            throw err(m, "missing '" + key + "'" + (m.entries().isEmpty() ? "" : " (keys here: "
                    + String.join(", ", m.entries().keySet()) + ")"));
        }
        return n;
    }

    private void allowOnly(Node.Mapping m, Set<String> allowed) throws ProfileFormatException {
        for (var e : m.keys().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw err(e.getValue(), "unknown key '" + e.getKey() + "'; expected one of "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    private Node.Mapping mapping(Node n, String what) throws ProfileFormatException {
        if (n instanceof Node.Mapping m) {
            return m;
        }
        throw err(n, "found " + n.kind() + "; expected " + what + " (a mapping)");
    }

    private Node.Seq seq(Node n, String what) throws ProfileFormatException {
        if (n instanceof Node.Seq s) {
            return s;
        }
        if (n instanceof Node.Scalar sc && sc.isNull()) {
            return new Node.Seq(List.of(), n.line(), n.column());   // "key:" with nothing: an empty list
        }
        throw err(n, "found " + n.kind() + "; expected " + what + " (a list)");
    }

    private String string(Node n, String what) throws ProfileFormatException {
        if (n instanceof Node.Scalar s && !s.isNull()) {
            return s.text();
        }
        if (n instanceof Node.Scalar) {
            return "";
        }
        throw err(n, "found " + n.kind() + "; expected " + what + " (a string)");
    }

    private String optionalString(Node.Mapping m, String key) throws ProfileFormatException {
        Node n = m.entries().get(key);
        return n == null ? "" : string(n, key);
    }

    private List<String> strings(Node n, String what) throws ProfileFormatException {
        List<String> out = new ArrayList<>();
        for (Node item : seq(n, what).items()) {
            out.add(string(item, "a string in " + what));
        }
        return out;
    }

    private long integer(Node n, String what) throws ProfileFormatException {
        return parse(n, what + " (an integer, decimal or 0x hex)", t -> t.startsWith("0x")
                ? Long.parseUnsignedLong(t.substring(2), 16)
                : Long.parseLong(t));
    }

    private long nonNegative(Node n, String what) throws ProfileFormatException {
        long v = integer(n, what);
        if (v < 0) {
            throw err(n, what + " " + v + " is negative; expected 0 or more");
        }
        return v;
    }

    private boolean bool(Node n, String what) throws ProfileFormatException {
        return parse(n, what + " (true or false)", t -> switch (t) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException();
        });
    }

    private Instant instant(Node n, String what) throws ProfileFormatException {
        return parse(n, what + " (a UTC time like 2026-01-31T12:00:00Z)", Instant::parse);
    }

    private <T> T parse(Node n, String expected, Function<String, T> parser) throws ProfileFormatException {
        if (n instanceof Node.Scalar s && !s.isNull()) {
            try {
                return parser.apply(s.text().strip());
            } catch (IllegalArgumentException | DateTimeParseException e) {
                // fall through to the error below
            }
        }
        throw err(n, "found " + n.kind() + "; expected " + expected);
    }
}
