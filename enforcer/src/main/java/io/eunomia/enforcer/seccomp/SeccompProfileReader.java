package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Capability;
import io.eunomia.abi.Errno;
import io.eunomia.enforcer.internal.Located;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads seccomp profiles: moby JSON (Docker's and containers-common's, with {@code archMap} and
 * conditional rules), the OCI {@code linux.seccomp} object or a whole OCI {@code config.json}, and a
 * Security Profiles Operator {@code SeccompProfile} (YAML or JSON). Everything is checked, and every
 * problem is reported with file:line:column: unknown fields, {@code name} with {@code names},
 * {@code architectures} with {@code archMap}, unknown actions, operators, architectures and
 * capabilities, and syscall names that no architecture has (runtimes skip those silently).
 */
public final class SeccompProfileReader {
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final int MAX_ERRNO = 4095;
    private static final Set<String> FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    private static final List<String> PROFILE_FIELDS = List.of("defaultAction", "defaultErrnoRet", "architectures",
            "archMap", "syscalls", "flags", "listenerPath", "listenerMetadata", "defaultErrno");
    private static final List<String> OCI_PROFILE_FIELDS = List.of("defaultAction", "defaultErrnoRet", "architectures",
            "syscalls", "flags", "listenerPath", "listenerMetadata");
    private static final List<String> RULE_FIELDS = List.of("names", "name", "action", "errnoRet", "errno", "args",
            "comment", "includes", "excludes");
    private static final List<String> OCI_RULE_FIELDS = List.of("names", "action", "errnoRet", "args");
    private static final List<String> ARG_FIELDS = List.of("index", "value", "valueTwo", "op");
    private static final List<String> CONDITION_FIELDS = List.of("caps", "arches", "minKernel");
    private static final List<String> K8S_SPEC_FIELDS = List.of("defaultAction", "architectures", "syscalls", "flags",
            "listenerPath", "listenerMetadata", "disabled", "baseProfileName");

    private final String file;
    private final List<ProfileProblem> errors = new ArrayList<>();
    private final List<ProfileProblem> warnings = new ArrayList<>();
    private ProfileForm form = ProfileForm.DOCKER;

    private SeccompProfileReader(String file) {
        this.file = file;
    }

    /** Reads a profile file; see the class comment for the forms. */
    public static ReadProfile read(Path path) throws SeccompProfileException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SeccompProfileException(List.of(new ProfileProblem(path.toString(), 0, 0,
                    "no such file: check the path")));
        } catch (MalformedInputException e) {
            throw new SeccompProfileException(List.of(new ProfileProblem(path.toString(), 0, 0,
                    "not UTF-8 text: a profile is a JSON or YAML file")));
        } catch (IOException e) {
            throw new SeccompProfileException(List.of(new ProfileProblem(path.toString(), 0, 0,
                    "cannot read: " + e.getMessage())));
        }
        return read(text, path.toString());
    }

    /** Reads profile text; {@code fileName} is only used in messages. */
    public static ReadProfile read(String text, String fileName) throws SeccompProfileException {
        return new SeccompProfileReader(fileName).parse(text);
    }

    private ReadProfile parse(String text) throws SeccompProfileException {
        String start = text.stripLeading();
        boolean yaml = !start.startsWith("{") && !start.startsWith("[");
        List<Located.Problem> syntax = new ArrayList<>();
        Located root;
        try {
            root = Located.parse(text, yaml, syntax);
        } catch (Located.SyntaxException e) {
            throw new SeccompProfileException(List.of(problem(e.problem())));
        }
        syntax.forEach(p -> errors.add(problem(p)));
        SeccompProfile profile = null;
        if (!(root instanceof Located.Obj obj)) {
            error(root, "expected a JSON object with \"defaultAction\" and \"syscalls\", found " + root.kind());
        } else {
            profile = document(obj);
        }
        if (!errors.isEmpty() || profile == null) {
            throw new SeccompProfileException(errors);
        }
        return new ReadProfile(file, form, profile, warnings);
    }

    /** Recognises the form of the document and reads the profile in it. */
    private SeccompProfile document(Located.Obj root) {
        Located.Field kind = root.field("kind");
        if (kind != null && root.field("spec") != null) {
            form = ProfileForm.KUBERNETES;
            if (!(kind.value() instanceof Located.Str s) || !s.value().equals("SeccompProfile")) {
                error(kind.value(), "a Kubernetes object of kind " + text(kind.value())
                        + " is not a seccomp profile: expected kind SeccompProfile (security-profiles-operator.x-k8s.io)");
                return null;
            }
            Located.Obj spec = object(root.field("spec").value(), "spec");
            return spec == null ? null : profile(spec, K8S_SPEC_FIELDS, OCI_RULE_FIELDS);
        }
        if (root.field("ociVersion") != null || root.field("process") != null
                || (root.field("linux") != null && root.field("defaultAction") == null)) {
            form = ProfileForm.OCI;
            Located.Field linux = root.field("linux");
            Located.Obj linuxObj = linux == null ? null : object(linux.value(), "linux");
            Located.Field seccomp = linuxObj == null ? null : linuxObj.field("seccomp");
            if (seccomp == null) {
                error(linuxObj != null ? linuxObj : root, "this OCI config has no linux.seccomp: the container runs "
                        + "without a filter; give a profile file or a config with linux.seccomp");
                return null;
            }
            Located.Obj sc = object(seccomp.value(), "linux.seccomp");
            return sc == null ? null : profile(sc, OCI_PROFILE_FIELDS, OCI_RULE_FIELDS);
        }
        return profile(root, PROFILE_FIELDS, RULE_FIELDS);
    }

    private SeccompProfile profile(Located.Obj o, List<String> fields, List<String> ruleFields) {
        unknownFields(o, fields, "profile");
        if (form == ProfileForm.KUBERNETES) {
            Located.Field base = o.field("baseProfileName");
            if (base != null) {
                error(base, "baseProfileName is not supported here: the profile would be incomplete without its "
                        + "base; merge the base profile's rules into this one");
            }
        }
        Located.Field da = o.field("defaultAction");
        SeccompAction defaultAction = null;
        if (da == null) {
            error(o, "\"defaultAction\" is missing: add e.g. \"defaultAction\": \"SCMP_ACT_ERRNO\"");
        } else {
            defaultAction = action(da.value());
        }
        OptionalInt defaultErrnoRet = errnoPair(o.field("defaultErrnoRet"), o.field("defaultErrno"));
        List<String> architectures = strings(o.field("architectures"));
        for (int i = 0; i < architectures.size(); i++) {
            checkScmpArch(((Located.Arr) o.field("architectures").value()).items().get(i), architectures.get(i));
        }
        List<ArchMapping> archMap = archMap(o.field("archMap"));
        if (!architectures.isEmpty() && !archMap.isEmpty()) {
            error(o.field("archMap"), "\"architectures\" and \"archMap\" are both given: use one of them "
                    + "(Docker refuses such a profile)");
        }
        List<String> flags = strings(o.field("flags"));
        for (int i = 0; i < flags.size(); i++) {
            if (!FLAGS.contains(flags.get(i))) {
                error(((Located.Arr) o.field("flags").value()).items().get(i), "unknown flag \"" + flags.get(i)
                        + "\": expected one of " + String.join(", ", FLAGS.stream().sorted().toList()));
            }
        }
        String listenerPath = string(o.field("listenerPath")).orElse("");
        String listenerMetadata = string(o.field("listenerMetadata")).orElse("");
        Set<String> profileArches = new LinkedHashSet<>(architectures);
        archMap.forEach(m -> {
            profileArches.add(m.architecture());
            profileArches.addAll(m.subArchitectures());
        });
        List<SyscallRule> rules = new ArrayList<>();
        Located.Field sc = o.field("syscalls");
        if (sc != null && !(sc.value() instanceof Located.Null)) {
            if (sc.value() instanceof Located.Arr arr) {
                for (Located item : arr.items()) {
                    SyscallRule r = rule(item, ruleFields, profileArches);
                    if (r != null) {
                        rules.add(r);
                    }
                }
            } else {
                error(sc.value(), "\"syscalls\" must be an array of rules, found " + sc.value().kind());
            }
        }
        if (defaultAction != null && defaultAction != SeccompAction.ERRNO && defaultAction != SeccompAction.TRACE
                && o.field("defaultErrnoRet") != null) {
            error(o.field("defaultErrnoRet"), "defaultErrnoRet only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
                    + defaultAction.jsonName() + ": remove it");
        }
        if (defaultAction == SeccompAction.NOTIFY) {
            error(da, "SCMP_ACT_NOTIFY cannot be the default action (runtimes refuse it): use it in rules");
        }
        return defaultAction == null ? null : new SeccompProfile(defaultAction, defaultErrnoRet, architectures, archMap,
                rules, flags, listenerPath, listenerMetadata);
    }

    private List<ArchMapping> archMap(Located.Field f) {
        List<ArchMapping> out = new ArrayList<>();
        if (f == null || f.value() instanceof Located.Null) {
            return out;
        }
        if (!(f.value() instanceof Located.Arr arr)) {
            error(f.value(), "\"archMap\" must be an array, found " + f.value().kind());
            return out;
        }
        for (Located item : arr.items()) {
            Located.Obj m = object(item, "an archMap entry");
            if (m == null) {
                continue;
            }
            unknownFields(m, List.of("architecture", "subArchitectures"), "archMap entry");
            Located.Field a = m.field("architecture");
            if (a == null) {
                error(m, "an archMap entry needs \"architecture\"");
                continue;
            }
            Optional<String> arch = string(a);
            arch.ifPresent(s -> checkScmpArch(a.value(), s));
            List<String> subs = strings(m.field("subArchitectures"));
            Located.Field sf = m.field("subArchitectures");
            for (int i = 0; i < subs.size(); i++) {
                checkScmpArch(((Located.Arr) sf.value()).items().get(i), subs.get(i));
            }
            arch.ifPresent(s -> out.add(new ArchMapping(s, subs)));
        }
        return out;
    }

    private SyscallRule rule(Located item, List<String> fields, Set<String> profileArches) {
        Located.Obj o = object(item, "a rule");
        if (o == null) {
            return null;
        }
        int before = errors.size();
        unknownFields(o, fields, "rule");
        Located.Field name = o.field("name");
        Located.Field names = o.field("names");
        List<String> list = new ArrayList<>();
        List<Located> nameNodes = new ArrayList<>();
        if (name != null && names != null) {
            error(name, "a rule has both \"name\" and \"names\": use \"names\" only (Docker refuses such a profile)");
        } else if (name != null) {
            string(name).ifPresent(list::add);
            nameNodes.add(name.value());
        } else if (names != null) {
            list.addAll(strings(names));
            if (names.value() instanceof Located.Arr arr) {
                nameNodes.addAll(arr.items());
            }
        }
        if (name == null && names == null) {
            error(o, "a rule without \"names\": list the syscalls it applies to");
        } else if (list.isEmpty() && errors.size() == before) {
            error(names != null ? names.value() : o, "\"names\" is empty: list the syscalls the rule applies to");
        }
        SeccompAction action = null;
        Located.Field a = o.field("action");
        if (a == null) {
            error(o, "a rule without \"action\": add e.g. \"action\": \"SCMP_ACT_ALLOW\"");
        } else {
            action = action(a.value());
        }
        OptionalInt errnoRet = errnoPair(o.field("errnoRet"), o.field("errno"));
        if (action != null && !action.takesErrno() && (o.field("errnoRet") != null || o.field("errno") != null)) {
            Located.Field ef = o.field("errnoRet") != null ? o.field("errnoRet") : o.field("errno");
            if (!(ef.value() instanceof Located.Null)) {
                error(ef, "an errno only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not " + action.jsonName()
                        + ": remove it");
            }
        }
        List<ArgCondition> args = args(o.field("args"));
        String comment = string(o.field("comment")).orElse("");
        RuleCondition includes = condition(o.field("includes"));
        RuleCondition excludes = condition(o.field("excludes"));
        Set<String> ruleArches = new LinkedHashSet<>();
        for (String shortArch : includes.arches()) {
            SeccompArches.scmpOfShortName(shortArch).ifPresent(ruleArches::add);
        }
        if (ruleArches.isEmpty()) {
            ruleArches.addAll(profileArches);
        }
        for (int i = 0; i < list.size() && i < nameNodes.size(); i++) {
            checkName(nameNodes.get(i), list.get(i), ruleArches);
        }
        if (errors.size() > before || action == null || list.isEmpty()) {
            return null;
        }
        return new SyscallRule(list, action, errnoRet, args, comment, includes, excludes);
    }

    private void checkName(Located at, String name, Set<String> arches) {
        if (!SyscallNames.known(name)) {
            List<String> close = SyscallNames.suggestions(name);
            error(at, "unknown syscall name \"" + name + "\": no architecture has it"
                    + (close.isEmpty() ? "" : " (did you mean " + String.join(", ", close) + "?)")
                    + "; runtimes would skip it without a word");
            return;
        }
        if (!arches.isEmpty() && !SyscallNames.existsOnAny(name, arches)) {
            warn(at, "\"" + name + "\" is not a syscall on " + describeArches(arches) + " (only on "
                    + describeArches(SyscallNames.archesOf(name)) + "): the rule never applies there");
        }
        if (!SyscallNames.knownToDebianLibseccomp(name)) {
            String since = SyscallNames.libseccompSince(name).orElse("next");
            warn(at, "\"" + name + "\" is only resolved by libseccomp " + since + " or later: runtimes built with "
                    + "libseccomp " + SyscallNames.DEBIAN_LIBSECCOMP + " (Debian 12's runc, crun, podman) skip it, so "
                    + "the call meets the default action there");
        }
    }

    private static String describeArches(Set<String> scmpArches) {
        return scmpArches.stream().map(s -> s.replace("SCMP_ARCH_", "").toLowerCase()).collect(Collectors.joining(", "));
    }

    private List<ArgCondition> args(Located.Field f) {
        List<ArgCondition> out = new ArrayList<>();
        if (f == null || f.value() instanceof Located.Null) {
            return out;
        }
        if (!(f.value() instanceof Located.Arr arr)) {
            error(f.value(), "\"args\" must be an array of {index, value, valueTwo, op}, found " + f.value().kind());
            return out;
        }
        for (Located item : arr.items()) {
            Located.Obj o = object(item, "an argument condition");
            if (o == null) {
                continue;
            }
            unknownFields(o, ARG_FIELDS, "argument condition");
            OptionalInt index = OptionalInt.empty();
            Located.Field idx = o.field("index");
            if (idx == null) {
                error(o, "an argument condition needs \"index\" (0-5)");
            } else {
                Optional<BigInteger> n = number(idx);
                if (n.isPresent()) {
                    if (n.get().signum() < 0 || n.get().compareTo(BigInteger.valueOf(ArgCondition.MAX_INDEX)) > 0) {
                        error(idx.value(), "argument index " + n.get() + " is out of range: syscalls have arguments 0-5");
                    } else {
                        index = OptionalInt.of(n.get().intValue());
                    }
                }
            }
            Long value = u64(o.field("value"), true, o);
            Long valueTwo = u64(o.field("valueTwo"), false, o);
            ArgOp op = null;
            Located.Field opf = o.field("op");
            if (opf == null) {
                error(o, "an argument condition needs \"op\" (e.g. \"SCMP_CMP_EQ\")");
            } else {
                Optional<String> s = string(opf);
                if (s.isPresent()) {
                    op = ArgOp.parse(s.get()).orElse(null);
                    if (op == null) {
                        error(opf.value(), "unknown operator \"" + s.get() + "\": expected one of "
                                + Arrays.stream(ArgOp.values()).map(ArgOp::jsonName).collect(Collectors.joining(", ")));
                    }
                }
            }
            if (index.isPresent() && value != null && op != null) {
                out.add(new ArgCondition(index.getAsInt(), value, valueTwo == null ? 0 : valueTwo, op));
            }
        }
        return out;
    }

    private RuleCondition condition(Located.Field f) {
        if (f == null || f.value() instanceof Located.Null) {
            return RuleCondition.NONE;
        }
        if (form != ProfileForm.DOCKER) {
            return RuleCondition.NONE; // reported as an unknown field of this form
        }
        Located.Obj o = object(f.value(), "\"" + f.name() + "\"");
        if (o == null) {
            return RuleCondition.NONE;
        }
        unknownFields(o, CONDITION_FIELDS, f.name());
        List<Capability> caps = new ArrayList<>();
        Located.Field cf = o.field("caps");
        List<String> capNames = strings(cf);
        for (int i = 0; i < capNames.size(); i++) {
            String c = capNames.get(i);
            Optional<Capability> cap = c.startsWith("CAP_") ? Capability.parse(c) : Optional.empty();
            if (cap.isEmpty()) {
                error(((Located.Arr) cf.value()).items().get(i), "unknown capability \"" + c
                        + "\": expected a name such as CAP_SYS_ADMIN");
            } else {
                caps.add(cap.get());
            }
        }
        Located.Field af = o.field("arches");
        List<String> arches = strings(af);
        for (int i = 0; i < arches.size(); i++) {
            if (!SeccompArches.isShortName(arches.get(i))) {
                error(((Located.Arr) af.value()).items().get(i), "unknown architecture \"" + arches.get(i)
                        + "\" in " + f.name() + ".arches: expected libseccomp's names such as amd64, arm64, x86, arm, "
                        + "s390x, ppc64le");
            }
        }
        Optional<KernelVersion> minKernel = Optional.empty();
        Located.Field mk = o.field("minKernel");
        if (mk != null && !(mk.value() instanceof Located.Null)) {
            Optional<String> s = string(mk);
            if (s.isPresent() && !s.get().isEmpty()) {
                minKernel = KernelVersion.parseMinKernel(s.get());
                if (minKernel.isEmpty()) {
                    error(mk.value(), "minKernel \"" + s.get() + "\" is not a kernel version: expected \"<major>.<minor>\", e.g. \"4.8\"");
                }
            }
        }
        return new RuleCondition(caps, arches, minKernel);
    }

    /** An errno given as a number ({@code errnoRet}) and/or a name ({@code errno}, containers-common). */
    private OptionalInt errnoPair(Located.Field numberField, Located.Field nameField) {
        OptionalInt byNumber = OptionalInt.empty();
        if (numberField != null && !(numberField.value() instanceof Located.Null)) {
            Optional<BigInteger> n = number(numberField);
            if (n.isPresent()) {
                if (n.get().signum() < 0 || n.get().compareTo(BigInteger.valueOf(MAX_ERRNO)) > 0) {
                    error(numberField.value(), "errno " + n.get() + " is out of range 0-" + MAX_ERRNO);
                } else {
                    byNumber = OptionalInt.of(n.get().intValue());
                }
            }
        }
        if (nameField == null || nameField.value() instanceof Located.Null) {
            return byNumber;
        }
        Optional<String> s = string(nameField);
        if (s.isEmpty()) {
            return byNumber;
        }
        if (s.get().isEmpty()) {
            return byNumber;
        }
        OptionalInt byName = Errno.number(s.get());
        if (byName.isEmpty()) {
            error(nameField.value(), "unknown errno name \"" + s.get() + "\": expected e.g. EPERM, ENOSYS, EACCES");
            return byNumber;
        }
        if (byNumber.isPresent() && byNumber.getAsInt() != byName.getAsInt()) {
            error(nameField.value(), "\"" + nameField.name() + "\": \"" + s.get() + "\" is " + byName.getAsInt()
                    + " but \"" + numberField.name() + "\" says " + byNumber.getAsInt() + ": make them agree");
        }
        return byNumber.isPresent() ? byNumber : byName;
    }

    private SeccompAction action(Located v) {
        if (!(v instanceof Located.Str s)) {
            error(v, "an action must be a string such as \"SCMP_ACT_ERRNO\", found " + v.kind());
            return null;
        }
        Optional<SeccompAction> a = SeccompAction.parse(s.value());
        if (a.isEmpty()) {
            error(v, "unknown action \"" + s.value() + "\": expected one of "
                    + Arrays.stream(SeccompAction.values()).map(SeccompAction::jsonName).collect(Collectors.joining(", ")));
        }
        return a.orElse(null);
    }

    private void checkScmpArch(Located at, String name) {
        if (!SeccompArches.isScmpName(name)) {
            error(at, "unknown architecture \"" + name + "\": expected an SCMP_ARCH_ name such as SCMP_ARCH_X86_64, "
                    + "SCMP_ARCH_AARCH64, SCMP_ARCH_X86");
        }
    }

    private void unknownFields(Located.Obj o, List<String> allowed, String what) {
        for (Located.Field f : o.fields().values()) {
            if (!allowed.contains(f.name())) {
                String hint = "";
                if (form != ProfileForm.DOCKER && (PROFILE_FIELDS.contains(f.name()) || RULE_FIELDS.contains(f.name()))) {
                    hint = " (a Docker/moby profile field, which OCI runtimes and Kubernetes do not read: write this form "
                            + "with eunomia seccomp generate --format oci|k8s)";
                }
                error(f, "unknown field \"" + f.name() + "\" in " + aOrAn(what) + hint + ": expected "
                        + String.join(", ", allowed));
            }
        }
    }

    private static String aOrAn(String what) {
        return (what.matches("^[aeiou].*") ? "an " : "a ") + what;
    }

    private Located.Obj object(Located v, String what) {
        if (v instanceof Located.Obj o) {
            return o;
        }
        error(v, what + " must be an object, found " + v.kind());
        return null;
    }

    private Optional<String> string(Located.Field f) {
        if (f == null || f.value() instanceof Located.Null) {
            return Optional.empty();
        }
        if (f.value() instanceof Located.Str s) {
            return Optional.of(s.value());
        }
        error(f.value(), "\"" + f.name() + "\" must be a string, found " + f.value().kind());
        return Optional.empty();
    }

    private List<String> strings(Located.Field f) {
        List<String> out = new ArrayList<>();
        if (f == null || f.value() instanceof Located.Null) {
            return out;
        }
        if (!(f.value() instanceof Located.Arr arr)) {
            error(f.value(), "\"" + f.name() + "\" must be an array of strings, found " + f.value().kind());
            return out;
        }
        for (Located item : arr.items()) {
            if (item instanceof Located.Str s) {
                out.add(s.value());
            } else {
                error(item, "\"" + f.name() + "\" must hold strings, found " + item.kind());
                return new ArrayList<>();
            }
        }
        return out;
    }

    private Optional<BigInteger> number(Located.Field f) {
        if (f.value() instanceof Located.Num n) {
            return Optional.of(n.value());
        }
        error(f.value(), "\"" + f.name() + "\" must be a whole number, found " + f.value().kind());
        return Optional.empty();
    }

    /** An unsigned 64-bit argument value. */
    private Long u64(Located.Field f, boolean required, Located.Obj owner) {
        if (f == null) {
            if (required) {
                error(owner, "an argument condition needs \"value\"");
            }
            return null;
        }
        Optional<BigInteger> n = number(f);
        if (n.isEmpty()) {
            return null;
        }
        if (n.get().signum() < 0 || n.get().compareTo(U64_MAX) > 0) {
            error(f.value(), "\"" + f.name() + "\" " + n.get() + " does not fit an unsigned 64-bit argument");
            return null;
        }
        return n.get().longValue();
    }

    private static String text(Located v) {
        return v instanceof Located.Str s ? "\"" + s.value() + "\"" : v.kind();
    }

    private ProfileProblem problem(Located.Problem p) {
        return new ProfileProblem(file, p.line(), p.column(), p.message());
    }

    private void error(Located at, String message) {
        errors.add(new ProfileProblem(file, at.line(), at.column(), message));
    }

    private void error(Located.Field at, String message) {
        errors.add(new ProfileProblem(file, at.line(), at.column(), message));
    }

    private void warn(Located at, String message) {
        warnings.add(new ProfileProblem(file, at.line(), at.column(), message));
    }
}
