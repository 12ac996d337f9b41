package io.eunomia.enforcer.seccomp;

import java.util.regex.Pattern;

/**
 * Writes a profile as a Security Profiles Operator {@code SeccompProfile} object (API
 * {@code security-profiles-operator.x-k8s.io/v1}), followed by the pod {@code securityContext}
 * that uses it as a {@code Localhost} profile, as comments to paste into the pod spec. The operator
 * installs the profile on every node under the kubelet's seccomp directory; the path it reports in
 * {@code status.localhostProfile} is what the pod names. The object is cluster-scoped (the
 * operator's CRD since 2025): it has no namespace, and its file is {@code operator/NAME.json}.
 */
public final class KubernetesProfileWriter {
    public static final String API_VERSION = "security-profiles-operator.x-k8s.io/v1";
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private KubernetesProfileWriter() {
    }

    /** A Kubernetes object name from any profile name: lower case, other characters become '-'. */
    public static String objectName(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-").replaceAll("^[-.]+|[-.]+$", "");
        if (n.isEmpty()) {
            n = "profile";
        }
        if (n.length() > 253) {
            n = n.substring(0, 253).replaceAll("[-.]+$", "");
        }
        if (!DNS_NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("cannot make a Kubernetes name of " + name);
        }
        return n;
    }

    /** @param profile without moby conditions (evaluate it first) */
    public static String write(SeccompProfile profile, String name) {
        if (profile.hasConditionalRules() || !profile.archMap().isEmpty()) {
            throw new IllegalArgumentException("a Kubernetes profile cannot hold includes/excludes or archMap: "
                    + "evaluate it first");
        }
        if (profile.defaultAction().takesErrno() && profile.defaultDecision().effectiveErrno() != io.eunomia.abi.Errno.EPERM) {
            throw new IllegalArgumentException("a Kubernetes SeccompProfile has no default errno (refused calls get the "
                    + "runtime's EPERM): generate it with --errno EPERM");
        }
        SeccompProfile p = SeccompProfileWriter.normalize(profile);
        String object = objectName(name);
        StringBuilder b = new StringBuilder();
        b.append("apiVersion: ").append(API_VERSION).append('\n');
        b.append("kind: SeccompProfile\n");
        b.append("metadata:\n");
        b.append("  name: ").append(object).append('\n');
        b.append("spec:\n");
        b.append("  defaultAction: ").append(p.defaultAction().jsonName()).append('\n');
        if (!p.architectures().isEmpty()) {
            b.append("  architectures:\n");
            p.architectures().forEach(a -> b.append("    - ").append(a).append('\n'));
        }
        if (!p.flags().isEmpty()) {
            b.append("  flags:\n");
            p.flags().forEach(f -> b.append("    - ").append(f).append('\n'));
        }
        b.append("  syscalls:\n");
        for (SyscallRule r : p.syscalls()) {
            b.append("    - action: ").append(r.action().jsonName()).append('\n');
            r.errnoRet().ifPresent(e -> b.append("      errnoRet: ").append(e).append('\n'));
            if (!r.args().isEmpty()) {
                b.append("      args:\n");
                for (ArgCondition c : r.args()) {
                    if (c.value() < 0 || c.valueTwo() < 0) {
                        // The CRD's fields are int64 with minimum 0: the API server refuses larger values.
                        throw new IllegalArgumentException("a SeccompProfile takes argument values from 0 to 2^63-1; " + r.names()
                                + " compares arg" + c.index() + " with 0x" + Long.toHexString(c.value() < 0 ? c.value() : c.valueTwo())
                                + ": write it as a kubelet Localhost file instead (eunomia seccomp kubelet)");
                    }
                    b.append("        - index: ").append(c.index()).append('\n');
                    b.append("          value: ").append(Long.toUnsignedString(c.value())).append('\n');
                    b.append("          valueTwo: ").append(Long.toUnsignedString(c.valueTwo())).append('\n');
                    b.append("          op: ").append(c.op().jsonName()).append('\n');
                }
            }
            b.append("      names:\n");
            r.names().forEach(n -> b.append("        - ").append(n).append('\n'));
        }
        String path = "operator/" + object + ".json";
        b.append("# The pod (or container) securityContext that uses it; the operator reports the exact path in\n");
        b.append("# status.localhostProfile (kubectl get seccompprofile ").append(object)
                .append(" -o jsonpath='{.status.localhostProfile}'):\n");
        b.append("#\n");
        b.append("# securityContext:\n");
        b.append("#   seccompProfile:\n");
        b.append("#     type: Localhost\n");
        b.append("#     localhostProfile: ").append(path).append('\n');
        return b.toString();
    }
}
