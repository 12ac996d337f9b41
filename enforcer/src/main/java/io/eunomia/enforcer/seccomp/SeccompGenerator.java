package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Errno;
import io.eunomia.abi.SyscallTable;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.RuntimeInfo;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns learned profiles into a seccomp profile: the workload's calls and the runtime's measured
 * baseline are allowed, everything else gets the default (an errno, or SCMP_ACT_LOG in complain
 * mode). {@code clone3} answers ENOSYS unless it was learned, so glibc falls back to {@code clone}.
 * Where the learned argument values are complete, the dangerous-by-argument calls are allowed only
 * with those values ({@link #COVERED}). Every name is checked against each target architecture's
 * table; names a target lacks are an error listing them.
 */
public final class SeccompGenerator {
    /** The calls whose arguments are restricted to the learned values when those are complete. */
    public static final List<String> COVERED = List.of("socket", "clone", "unshare", "personality", "prctl", "ioctl");

    /**
     * How to generate.
     *
     * @param arches          target architectures (native ones: x86_64, aarch64); empty = those learned
     * @param runtime         the runtime that will run the container (runc, crun, docker, podman,
     *                        containerd); empty = the one the profile was learned under
     * @param noNewPrivileges whether the container runs with no_new_privileges; empty = as learned
     *                        (false when unknown: its baseline is the larger)
     * @param errno           what refused calls return (EPERM or ENOSYS)
     * @param complain        log instead of refusing what was not learned
     * @param form            the output form: conditional rules (per-architecture names) only in DOCKER
     */
    public record Options(List<Arch> arches, Optional<String> runtime, Optional<Boolean> noNewPrivileges, int errno,
                          boolean complain, ProfileForm form) {
        public Options {
            arches = List.copyOf(arches);
        }

        public static Options defaults() {
            return new Options(List.of(), Optional.empty(), Optional.empty(), Errno.EPERM, false, ProfileForm.DOCKER);
        }
    }

    /**
     * What was done with one covered call.
     *
     * @param restricted whether rules test its arguments
     * @param detail     the values allowed, or why the call is not restricted
     */
    public record ArgumentCoverage(String syscall, boolean restricted, String detail) {}

    /**
     * A generated profile and how it came to be.
     *
     * @param allowed       per target architecture, the names allowed (workload and baseline)
     * @param baselineAdded per target architecture, the baseline names the workload did not make itself
     * @param ociRuntime    whose baseline was added (runc, crun)
     * @param notes         what a person should know (one sentence each)
     */
    public record Result(SeccompProfile profile, List<Arch> arches, String ociRuntime, boolean noNewPrivileges,
                         Map<Arch, Set<String>> allowed, Map<Arch, Set<String>> baselineAdded, String baselineSource,
                         List<ArgumentCoverage> arguments, List<String> notes) {}

    /** A profile that cannot be generated as asked; the message says what to do. */
    public static final class GenerateException extends Exception {
        private static final long serialVersionUID = 1L;

        public GenerateException(String message) {
            super(message);
        }
    }

    private SeccompGenerator() {
    }

    public static Result generate(List<Profile> profiles, Options o) throws GenerateException {
        if (profiles.isEmpty()) {
            throw new GenerateException("no profile given");
        }
        Profile p = profiles.getFirst();
        for (Profile other : profiles.subList(1, profiles.size())) {
            p = p.union(other);
        }
        List<String> notes = new ArrayList<>();
        List<Arch> targets = targets(p, o);
        String runtime = ociRuntime(p, o.runtime());
        boolean nnp = o.noNewPrivileges().orElse(Boolean.TRUE.equals(p.metadata().noNewPrivs()));
        if (o.noNewPrivileges().isEmpty() && p.metadata().noNewPrivs() == null) {
            notes.add("the profile does not say whether no_new_privileges was set: the baseline without it (the larger) "
                    + "was added; give --no-new-privileges if the container runs with it");
        }

        // Per host architecture, the calls to allow: the learned ones (checked against its table) and the baseline.
        Map<Arch, Set<String>> allowed = new TreeMap<>();
        Map<Arch, Set<String>> baselineAdded = new TreeMap<>();
        String baselineSource = "";
        List<String> problems = new ArrayList<>();
        boolean compat = false;
        for (Arch host : targets) {
            Set<String> names = new TreeSet<>(learned(p, host, problems));
            if (host.compat().isPresent() && !p.arch(host.compat().get()).workload().isEmpty()) {
                Arch c = host.compat().get();
                names.addAll(checked(p.arch(c).workload().keySet(), c, c, problems));
                compat = true;
            }
            RuntimeBaselines.Baseline b = RuntimeBaselines.of(runtime, nnp, host).orElseThrow(() -> new IllegalStateException(
                    "no baseline for " + runtime));
            baselineSource = b.source();
            Set<String> added = new TreeSet<>(b.syscalls());
            added.removeAll(names);
            names.addAll(b.syscalls());
            allowed.put(host, names);
            baselineAdded.put(host, added);
        }
        if (!problems.isEmpty()) {
            throw new GenerateException(String.join("\n", problems));
        }
        for (Set<String> names : allowed.values()) {
            List<String> unresolved = names.stream().filter(n -> !SyscallNames.knownToDebianLibseccomp(n)).toList();
            if (!unresolved.isEmpty()) {
                notes.add("libseccomp " + SyscallNames.DEBIAN_LIBSECCOMP + " (Debian 12's runc, crun, podman) does not "
                        + "know " + String.join(", ", unresolved) + ": runtimes built with it skip those rules, so the "
                        + "calls get the default action there");
                break;
            }
        }

        Decision refuse = o.complain() ? new Decision(SeccompAction.LOG, OptionalInt.empty()) : Decision.errno(o.errno());
        List<SyscallRule> rules = new ArrayList<>();
        List<ArgumentCoverage> coverage = new ArrayList<>();
        Set<String> baselineAll = new TreeSet<>();
        for (Arch host : targets) {
            RuntimeBaselines.of(runtime, nnp, host).ifPresent(b -> baselineAll.addAll(b.syscalls()));
        }
        Map<String, Set<Arch>> scope = scopes(allowed);
        for (String name : COVERED) {
            if (!scope.containsKey(name)) {
                continue;
            }
            List<List<ArgCondition>> conditions = argumentRules(p, name, targets, baselineAll.contains(name), coverage);
            if (conditions.isEmpty()) {
                continue;
            }
            Set<Arch> where = scope.remove(name);
            for (List<ArgCondition> args : conditions) {
                rules.add(scoped(SyscallRule.of(List.of(name), SeccompAction.ALLOW).withArgs(args), where, targets, o.form()));
            }
        }
        // Unconditional allows, grouped by the architectures that need them.
        Map<Set<Arch>, List<String>> byScope = new LinkedHashMap<>();
        scope.forEach((name, where) -> byScope.computeIfAbsent(where, k -> new ArrayList<>()).add(name));
        byScope.forEach((where, names) -> rules.add(scoped(SyscallRule.of(names, SeccompAction.ALLOW), where, targets,
                o.form())));
        // clone3 cannot be filtered by its flags (they are in memory): ENOSYS makes glibc use clone.
        Set<Arch> withoutClone3 = EnumSet.copyOf(targets);
        withoutClone3.removeAll(allowedArches(allowed, "clone3"));
        if (!withoutClone3.isEmpty() && !(refuse.action() == SeccompAction.ERRNO && refuse.effectiveErrno() == Errno.ENOSYS)) {
            rules.add(scoped(SyscallRule.errno(List.of("clone3"), Errno.ENOSYS), withoutClone3, targets, o.form()));
            notes.add("clone3 answers ENOSYS (not learned): glibc then uses clone, whose namespace flags a filter can check");
        } else if (withoutClone3.isEmpty()) {
            notes.add("clone3 was learned and is allowed: seccomp cannot check its flags (they are in memory)");
        }
        if (o.complain()) {
            notes.add("complain mode: calls not learned are logged (SCMP_ACT_LOG, kernel log type=1326), not refused");
        }

        List<String> arches = new ArrayList<>();
        List<ArchMapping> archMap = new ArrayList<>();
        if (targets.size() == 1 || o.form() != ProfileForm.DOCKER) {
            for (Arch t : targets) {
                arches.add(t.seccompName());
                if (compat && t.compat().isPresent()) {
                    arches.add(t.compat().get().seccompName());
                }
            }
        } else {
            for (Arch t : targets) {
                archMap.add(new ArchMapping(t.seccompName(), compat && t.compat().isPresent()
                        ? List.of(t.compat().get().seccompName()) : List.of()));
            }
        }
        if (!compat && targets.contains(Arch.X86_64)) {
            notes.add("32-bit (ia32) calls were not learned: the filter covers x86_64 only, so an int 0x80 call is refused");
        }
        SeccompProfile profile = SeccompProfileWriter.normalize(new SeccompProfile(refuse.action(), refuse.errnoRet(),
                arches, archMap, rules, List.of(), "", ""));
        return new Result(profile, targets, runtime, nnp, allowed, baselineAdded, baselineSource, coverage, notes);
    }

    private static List<Arch> targets(Profile p, Options o) throws GenerateException {
        if (!o.arches().isEmpty()) {
            for (Arch a : o.arches()) {
                if (a == Arch.X86) {
                    throw new GenerateException("x86 (ia32) is the 32-bit ABI of an x86_64 host, not a target: give "
                            + "--arch x86_64 (its learned 32-bit calls are included)");
                }
            }
            return List.copyOf(new LinkedHashSet<>(o.arches()));
        }
        List<Arch> learned = new ArrayList<>();
        for (Arch a : p.arches()) {
            if (a != Arch.X86) {
                learned.add(a);
            }
        }
        if (learned.isEmpty()) {
            if (p.arches().contains(Arch.X86)) {
                return List.of(Arch.X86_64);
            }
            throw new GenerateException("the profile holds no syscalls: learn the workload first (eunomia learn)");
        }
        return learned;
    }

    /** The OCI runtime whose baseline to add: runc or crun. */
    static String ociRuntime(Profile p, Optional<String> asked) throws GenerateException {
        if (asked.isPresent()) {
            return switch (asked.get()) {
                case "runc", "docker", "containerd", "podman" -> "runc";
                case "crun" -> "crun";
                default -> throw new GenerateException("unknown runtime '" + asked.get()
                        + "': expected runc, crun, docker, podman or containerd");
            };
        }
        Set<String> seen = new TreeSet<>();
        for (RuntimeInfo r : p.metadata().runtimes()) {
            if (RuntimeBaselines.runtimes().contains(r.name())) {
                seen.add(r.name());
            } else if (List.of("docker", "containerd", "podman").contains(r.manager())) {
                seen.add("runc");
            }
        }
        if (seen.size() == 1) {
            return seen.iterator().next();
        }
        if (seen.isEmpty() && p.metadata().runtimes().stream().anyMatch(r -> r.manager().equals("conmon"))) {
            // conmon runs podman's and CRI-O's containers, each with runc or crun as configured: no guess.
            throw new GenerateException("the profile was learned in a container run by conmon (podman's or CRI-O's: "
                    + "neither's records named it) whose OCI runtime's state was gone before it was read, so the "
                    + "runtime whose baseline must be allowed is not known: give --runtime runc|crun, the one that "
                    + "podman (podman info --format '{{.Host.OCIRuntime.Name}}') or CRI-O (crio config: default_runtime) runs");
        }
        if (seen.isEmpty()) {
            throw new GenerateException("the profile does not say which runtime ran the workload: give --runtime "
                    + "runc|crun|docker|podman|containerd (its baseline must be allowed)");
        }
        throw new GenerateException("the profile was learned under several runtimes (" + String.join(", ", seen)
                + "): give --runtime for the one that will run it");
    }

    /** The workload's calls for a target: its own, or the other learned architectures' (names checked). */
    private static Set<String> learned(Profile p, Arch host, List<String> problems) {
        ArchProfile own = p.arch(host);
        if (!own.workload().isEmpty()) {
            return checked(own.workload().keySet(), host, host, problems);
        }
        Set<String> names = new TreeSet<>();
        Arch from = null;
        for (Arch a : p.arches()) {
            if (a != Arch.X86 && a != host) {
                names.addAll(p.arch(a).workload().keySet());
                from = a;
            }
        }
        return from == null ? names : checked(names, from, host, problems);
    }

    private static Set<String> checked(Set<String> names, Arch learnedOn, Arch target, List<String> problems) {
        SyscallTable table = SyscallTable.of(target);
        List<String> unknown = names.stream().filter(n -> table.number(n).isEmpty()).sorted().toList();
        if (!unknown.isEmpty()) {
            problems.add("not syscalls on " + target.id() + ": " + String.join(", ", unknown) + " (learned on "
                    + learnedOn.id() + ")" + (learnedOn == target
                    ? ": this build does not know these calls; a newer eunomia may"
                    : ": learn the workload on " + target.id() + " too, or leave " + target.id() + " out of --arch"));
        }
        Set<String> out = new TreeSet<>(names);
        out.removeAll(unknown);
        return out;
    }

    private static Map<String, Set<Arch>> scopes(Map<Arch, Set<String>> allowed) {
        Map<String, Set<Arch>> out = new TreeMap<>();
        allowed.forEach((arch, names) -> names.forEach(n -> out.computeIfAbsent(n, k -> EnumSet.noneOf(Arch.class)).add(arch)));
        return out;
    }

    private static Set<Arch> allowedArches(Map<Arch, Set<String>> allowed, String name) {
        Set<Arch> out = EnumSet.noneOf(Arch.class);
        allowed.forEach((arch, names) -> {
            if (names.contains(name)) {
                out.add(arch);
            }
        });
        return out;
    }

    /** A rule limited to some host architectures (moby includes.arches) when not all targets need it. */
    private static SyscallRule scoped(SyscallRule r, Set<Arch> where, List<Arch> targets, ProfileForm form) {
        if (where.containsAll(targets) || form != ProfileForm.DOCKER) {
            return r;
        }
        return r.withIncludes(RuleCondition.arches(where.stream().map(SeccompArches::shortName).sorted().toList()));
    }

    /**
     * The argument tests of a covered call: one list per allowed combination of values; empty when
     * the call stays unrestricted (what was learned is incomplete, or the runtime needs it too).
     */
    private static List<List<ArgCondition>> argumentRules(Profile p, String name, List<Arch> targets, boolean baseline,
                                                          List<ArgumentCoverage> coverage) {
        if (baseline) {
            coverage.add(new ArgumentCoverage(name, false, "not restricted: the runtime's baseline makes this call"));
            return List.of();
        }
        List<ArgumentSpec> specs = ArgumentSpec.LEARNED.stream().filter(s -> s.syscall().equals(name) && !s.inMemory())
                .toList();
        List<List<ArgCondition>> combos = new ArrayList<>();
        combos.add(List.of());
        List<String> details = new ArrayList<>();
        for (ArgumentSpec spec : specs) {
            Optional<Set<Long>> values = values(p, spec, targets);
            if (values.isEmpty()) {
                details.add(spec.name() + " any (" + whyUnrestricted(p, spec, targets) + ")");
                continue;
            }
            List<List<ArgCondition>> next = new ArrayList<>();
            for (List<ArgCondition> c : combos) {
                for (long v : values.get()) {
                    List<ArgCondition> more = new ArrayList<>(c);
                    more.add(spec.mask() == -1 ? ArgCondition.eq(spec.index(), v)
                            : ArgCondition.masked(spec.index(), spec.mask(), v));
                    next.add(more);
                }
            }
            combos = next;
            details.add(spec.name() + " " + ArgumentNames.describe(spec, values.get()));
        }
        boolean restricted = !combos.getFirst().isEmpty();
        coverage.add(new ArgumentCoverage(name, restricted, (restricted ? "" : "not restricted: ")
                + String.join("; ", details)));
        return restricted ? combos : List.of();
    }

    /** The values learned for an argument in every architecture that made the call; empty when incomplete. */
    private static Optional<Set<Long>> values(Profile p, ArgumentSpec spec, List<Arch> targets) {
        Set<Long> all = new TreeSet<>();
        boolean any = false;
        for (Arch a : arches(p, targets)) {
            ArchProfile ap = p.arch(a);
            if (!ap.workload().containsKey(spec.syscall())) {
                continue;
            }
            Optional<ArgumentValues> v = ap.argument(spec);
            if (v.isEmpty() || !v.get().complete() || v.get().values().isEmpty()) {
                return Optional.empty();
            }
            all.addAll(v.get().values());
            any = true;
        }
        return any ? Optional.of(all) : Optional.empty();
    }

    private static String whyUnrestricted(Profile p, ArgumentSpec spec, List<Arch> targets) {
        for (Arch a : arches(p, targets)) {
            ArchProfile ap = p.arch(a);
            if (!ap.workload().containsKey(spec.syscall())) {
                continue;
            }
            Optional<ArgumentValues> v = ap.argument(spec);
            if (v.isEmpty() || v.get().values().isEmpty()) {
                return "no values learned on " + a.id();
            }
            if (!v.get().complete()) {
                return "more than " + ArgumentSpec.MAX_VALUES + " values on " + a.id();
            }
        }
        return "the runtime's baseline needs it, not the workload";
    }

    private static List<Arch> arches(Profile p, List<Arch> targets) {
        List<Arch> out = new ArrayList<>();
        for (Arch t : targets) {
            out.add(t);
            t.compat().filter(p.arches()::contains).ifPresent(out::add);
        }
        return out;
    }
}
