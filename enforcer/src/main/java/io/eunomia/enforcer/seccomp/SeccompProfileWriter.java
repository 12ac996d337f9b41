package io.eunomia.enforcer.seccomp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.internal.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * Writes profiles deterministically: rules with the same effect and conditions are merged into one,
 * names are sorted, rules are grouped by action (ALLOW first, then LOG, ERRNO, ...) and, within an
 * action, unconditional rules come before those that test arguments or the container. A rule whose
 * decision equals the default is never written (libseccomp refuses it; it would change nothing).
 */
public final class SeccompProfileWriter {
    private SeccompProfileWriter() {
    }

    /** The profile in its canonical form: the rules {@link #write} emits, in that order. */
    public static SeccompProfile normalize(SeccompProfile p) {
        Decision def = p.defaultDecision();
        Map<GroupKey, TreeSet<String>> groups = new LinkedHashMap<>();
        Map<GroupKey, SyscallRule> firstOfGroup = new LinkedHashMap<>();
        for (SyscallRule r : p.syscalls()) {
            if (r.decision().sameAs(def)) {
                continue;
            }
            SyscallRule n = r.normalized();
            GroupKey key = new GroupKey(n.action(), n.errnoRet(), n.args(), n.comment(), n.includes(), n.excludes());
            groups.computeIfAbsent(key, k -> new TreeSet<>()).addAll(n.names());
            firstOfGroup.putIfAbsent(key, n);
        }
        List<SyscallRule> rules = new ArrayList<>();
        groups.forEach((key, names) -> rules.add(firstOfGroup.get(key).withNames(List.copyOf(names))));
        rules.sort(SyscallRule.CANONICAL_ORDER);
        return p.withSyscalls(rules);
    }

    /** Moby JSON (what {@code docker run --security-opt seccomp=FILE} and podman take). */
    public static String writeDocker(SeccompProfile p) {
        return Json.write(toJson(normalize(p), true));
    }

    /**
     * The OCI runtime spec's {@code linux.seccomp} object. Conditional rules must be evaluated first
     * ({@link SeccompProfile#evaluate}): an OCI runtime does not read includes/excludes/archMap.
     */
    public static String writeOci(SeccompProfile p) {
        return Json.write(toOciJson(p));
    }

    /** The {@code linux.seccomp} object as a tree, for embedding into a config.json. */
    public static ObjectNode toOciJson(SeccompProfile p) {
        if (p.hasConditionalRules() || !p.archMap().isEmpty()) {
            throw new IllegalArgumentException("an OCI profile cannot hold includes/excludes or archMap: "
                    + "evaluate it for a host and container first");
        }
        return toJson(normalize(p), false);
    }

    private record GroupKey(SeccompAction action, OptionalInt errnoRet, List<ArgCondition> args, String comment,
                            RuleCondition includes, RuleCondition excludes) {}

    private static ObjectNode toJson(SeccompProfile p, boolean moby) {
        ObjectNode root = Json.object();
        root.put("defaultAction", p.defaultAction().jsonName());
        p.defaultErrnoRet().ifPresent(e -> root.put("defaultErrnoRet", e));
        if (!p.architectures().isEmpty()) {
            root.set("architectures", Json.strings(p.architectures()));
        }
        if (moby && !p.archMap().isEmpty()) {
            ArrayNode map = root.putArray("archMap");
            for (ArchMapping m : p.archMap()) {
                ObjectNode e = map.addObject();
                e.put("architecture", m.architecture());
                e.set("subArchitectures", Json.strings(m.subArchitectures()));
            }
        }
        if (!p.flags().isEmpty()) {
            root.set("flags", Json.strings(p.flags()));
        }
        if (!p.listenerPath().isEmpty()) {
            root.put("listenerPath", p.listenerPath());
        }
        if (!p.listenerMetadata().isEmpty()) {
            root.put("listenerMetadata", p.listenerMetadata());
        }
        ArrayNode rules = root.putArray("syscalls");
        for (SyscallRule r : p.syscalls()) {
            rules.add(rule(r, moby));
        }
        return root;
    }

    /** One rule as JSON; {@code moby} adds comment, includes and excludes. */
    public static ObjectNode rule(SyscallRule r, boolean moby) {
        ObjectNode o = Json.object();
        o.set("names", Json.strings(r.names()));
        o.put("action", r.action().jsonName());
        r.errnoRet().ifPresent(e -> o.put("errnoRet", e));
        if (!r.args().isEmpty()) {
            ArrayNode args = o.putArray("args");
            for (ArgCondition c : r.args()) {
                ObjectNode a = args.addObject();
                a.put("index", c.index());
                a.set("value", Json.unsigned(c.value()));
                a.set("valueTwo", Json.unsigned(c.valueTwo()));
                a.put("op", c.op().jsonName());
            }
        }
        if (moby) {
            if (!r.comment().isEmpty()) {
                o.put("comment", r.comment());
            }
            if (!r.includes().isEmpty()) {
                o.set("includes", condition(r.includes()));
            }
            if (!r.excludes().isEmpty()) {
                o.set("excludes", condition(r.excludes()));
            }
        }
        return o;
    }

    private static ObjectNode condition(RuleCondition c) {
        ObjectNode o = Json.object();
        if (!c.caps().isEmpty()) {
            o.set("caps", Json.strings(c.caps().stream().map(Capability::capName).toList()));
        }
        if (!c.arches().isEmpty()) {
            o.set("arches", Json.strings(c.arches()));
        }
        c.minKernel().ifPresent(v -> o.put("minKernel", v.toString()));
        return o;
    }
}
