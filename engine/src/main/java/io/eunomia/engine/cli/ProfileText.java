package io.eunomia.engine.cli;

import io.eunomia.abi.Arch;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentNames;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileDiff;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Profiles and diffs as text for people, and diffs as JSON. */
final class ProfileText {
    private static final int WIDTH = 100;

    private ProfileText() {}

    static String show(Profile p) {
        StringBuilder b = new StringBuilder();
        ProfileMetadata m = p.metadata();
        b.append("profile ").append(m.name()).append(m.image().isEmpty() ? "" : " (image " + m.image() + ")").append('\n');
        b.append("  learned ").append(m.learnedFrom()).append(" .. ").append(m.learnedUntil()).append(" (")
                .append(human(Duration.between(m.learnedFrom(), m.learnedUntil()))).append(")\n");
        b.append("  containers: ").append(m.containerIds().isEmpty() ? "-" : String.join(" ", m.containerIds().stream()
                .map(id -> id.length() > 12 ? id.substring(0, 12) : id).toList())).append('\n');
        b.append("  runtimes: ").append(m.runtimes().isEmpty() ? "-" : String.join(", ",
                m.runtimes().stream().map(RuntimeInfo::toString).toList()));
        b.append("; users: ").append(m.userIds().isEmpty() ? "-" : String.join(",", m.userIds().stream().map(String::valueOf).toList()));
        b.append("; no_new_privs: ").append(m.noNewPrivs() == null ? "unknown" : m.noNewPrivs()).append('\n');
        for (String w : m.warnings()) {
            b.append("  WARNING: ").append(w).append('\n');
        }
        p.architectures().forEach((arch, a) -> arch(b, arch, a));
        caps(b, "capabilities granted", p.capsGranted().values());
        caps(b, "capabilities denied (tried, refused)", p.capsDenied().values());
        b.append("executables (").append(p.executables().size()).append("):\n");
        for (Executable e : p.executables().values()) {
            b.append("  ").append(e.path()).append("  x").append(e.count());
            e.sha256().forEach(h -> b.append("  sha256:").append(h, 0, 16).append("..."));
            b.append('\n');
        }
        return b.toString();
    }

    private static void arch(StringBuilder b, Arch arch, ArchProfile a) {
        String label = arch.id() + (arch == Arch.X86 ? " (32-bit ia32 calls)" : "");
        b.append(label).append(": ").append(a.workload().size()).append(" syscalls\n");
        wrap(b, a.workload().keySet());
        if (!a.runtime().isEmpty()) {
            b.append("  runtime set-up (").append(a.runtime().size()).append(", before the workload's first exec):\n");
            wrap(b, a.runtime().keySet());
        }
        for (ArgumentValues v : a.arguments()) {
            List<String> names = new ArrayList<>();
            v.values().forEach(x -> names.add(ArgumentNames.name(v.spec(), x)));
            b.append("  ").append(v.spec().syscall()).append(' ').append(v.spec().name()).append(": ")
                    .append(String.join(", ", names)).append(v.overflow() ? " ... (more than kept: not restrictable)" : "")
                    .append('\n');
        }
    }

    private static void caps(StringBuilder b, String title, Collection<CapabilityUse> caps) {
        b.append(title).append(" (").append(caps.size()).append(")").append(caps.isEmpty() ? "" : ":").append('\n');
        for (CapabilityUse c : caps) {
            b.append("  ").append(c.capability().capName());
            List<String> calls = new ArrayList<>();
            c.syscalls().forEach((arch, names) -> names.forEach(n -> calls.add(arch == Arch.X86 ? "x86:" + n : n)));
            if (!calls.isEmpty()) {
                b.append(" (").append(String.join(", ", calls)).append(')');
            }
            if (c.count() != null) {
                b.append(" x").append(c.count());
            }
            b.append('\n');
        }
    }

    /** Names in lines of at most WIDTH characters, indented. */
    private static void wrap(StringBuilder b, Collection<String> names) {
        StringBuilder line = new StringBuilder("   ");
        for (String n : names) {
            if (line.length() + n.length() + 1 > WIDTH) {
                b.append(line).append('\n');
                line = new StringBuilder("   ");
            }
            line.append(' ').append(n);
        }
        if (line.length() > 3) {
            b.append(line).append('\n');
        }
    }

    static String diff(ProfileDiff d, String before, String after) {
        StringBuilder b = new StringBuilder();
        b.append("--- ").append(before).append('\n').append("+++ ").append(after).append('\n');
        if (d.isEmpty()) {
            return b.append("no differences\n").toString();
        }
        d.workload().forEach((arch, c) -> changes(b, arch.id() + " syscalls", c));
        d.runtime().forEach((arch, c) -> changes(b, arch.id() + " runtime set-up syscalls", c));
        d.arguments().forEach((arch, byArg) -> byArg.forEach((arg, c) -> changes(b, arch.id() + " " + arg, c)));
        changes(b, "capabilities granted", d.granted());
        changes(b, "capabilities denied", d.denied());
        changes(b, "executables", d.executables());
        return b.toString();
    }

    private static void changes(StringBuilder b, String what, ProfileDiff.Changes c) {
        if (c.isEmpty()) {
            return;
        }
        b.append(what).append(":\n");
        c.added().forEach(x -> b.append("  + ").append(x).append('\n'));
        c.removed().forEach(x -> b.append("  - ").append(x).append('\n'));
    }

    static Map<String, Object> diffJson(ProfileDiff d, String before, String after) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("before", before);
        out.put("after", after);
        out.put("same", d.isEmpty());
        Map<String, Object> w = new LinkedHashMap<>();
        d.workload().forEach((arch, c) -> w.put(arch.id(), changes(c)));
        out.put("syscalls", w);
        Map<String, Object> r = new LinkedHashMap<>();
        d.runtime().forEach((arch, c) -> r.put(arch.id(), changes(c)));
        out.put("runtimeSyscalls", r);
        Map<String, Object> a = new LinkedHashMap<>();
        d.arguments().forEach((arch, byArg) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            byArg.forEach((arg, c) -> x.put(arg, changes(c)));
            a.put(arch.id(), x);
        });
        out.put("arguments", a);
        out.put("capabilitiesGranted", changes(d.granted()));
        out.put("capabilitiesDenied", changes(d.denied()));
        out.put("executables", changes(d.executables()));
        return out;
    }

    private static Map<String, Object> changes(ProfileDiff.Changes c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", List.copyOf(c.added()));
        m.put("removed", List.copyOf(c.removed()));
        return m;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m " + (s % 60) + "s" : (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
}
