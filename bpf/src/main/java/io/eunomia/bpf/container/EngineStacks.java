package io.eunomia.bpf.container;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How two answers about one container's engine relate. Engines sit on one another: an OCI runtime
 * (runc, crun) runs every engine's containers, and Docker runs its own through containerd (dockerd
 * asks containerd, namespace "moby": containerd-shim-runc-v2 above runc, runc's state under
 * /run/containerd/runc/moby, {@link ContainerSources}). So "containerd" (its shim seen above runc)
 * and then "docker" (the cgroup layout, Docker's records) is one container named more precisely,
 * and "runc" after "containerd" (a state root that names only the runtime, the shim gone) says
 * less, not otherwise; "podman" against "docker" contradicts. Podman and CRI-O both run conmon above
 * the runtime, so a trusted conmon names only "conmon", which either refines without a disagreement.
 */
final class EngineStacks {
    enum Relation {
        SAME,
        /** The answer names an engine above the known one, on the same stack. */
        REFINES,
        /** The answer names an engine below the known one (says less of the same stack). */
        COARSER,
        /** Engines of different stacks: one of the answers is wrong. */
        CONTRADICTS
    }

    /** The engine a trusted conmon above the runtime names: podman's or CRI-O's, the process does not tell which. */
    static final String CONMON = "conmon";

    /** The label values a disagreement is counted under: the engines the resolver names, the rest "other". */
    static final List<String> LABELS = List.of("docker", "containerd", "podman", "cri-o", CONMON, "runc", "crun", "other");

    private static final Set<String> OCI = NamespaceIdentity.OCI_RUNTIMES;
    /** Each engine with those below it on its stack. */
    private static final Map<String, Set<String>> BELOW = Map.of(
            "docker", union(Set.of("containerd"), OCI),
            "containerd", OCI,
            "podman", union(Set.of(CONMON), OCI),
            "cri-o", union(Set.of(CONMON), OCI),
            CONMON, OCI);

    private EngineStacks() {}

    static Relation of(String known, String answer) {
        if (known.equals(answer)) {
            return Relation.SAME;
        }
        if (BELOW.getOrDefault(answer, Set.of()).contains(known)) {
            return Relation.REFINES;
        }
        if (BELOW.getOrDefault(known, Set.of()).contains(answer)) {
            return Relation.COARSER;
        }
        return Relation.CONTRADICTS;
    }

    /** The engine as a metric label: one of {@link #LABELS}. */
    static String label(String engine) {
        return LABELS.contains(engine) ? engine : "other";
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
