package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What changed from one profile to another: syscalls (workload and runtime set-up apart, per
 * architecture), argument values, capabilities (granted and denied apart) and executables.
 *
 * @param workload    workload syscall names by architecture (architectures without change left out)
 * @param runtime     runtime set-up syscall names by architecture
 * @param arguments   argument values by architecture and argument ("socket #0 family"), in hex
 * @param granted     capability names
 * @param denied      capability names
 * @param executables paths
 */
public record ProfileDiff(SortedMap<Arch, Changes> workload, SortedMap<Arch, Changes> runtime,
                          SortedMap<Arch, Map<String, Changes>> arguments, Changes granted, Changes denied,
                          Changes executables) {
    /** Names in the second profile only ({@code added}) and in the first only ({@code removed}). */
    public record Changes(SortedSet<String> added, SortedSet<String> removed) {
        public Changes {
            added = Collections.unmodifiableSortedSet(new TreeSet<>(added));
            removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
        }

        static Changes of(Collection<String> before, Collection<String> after) {
            TreeSet<String> added = new TreeSet<>(after);
            added.removeAll(before);
            TreeSet<String> removed = new TreeSet<>(before);
            removed.removeAll(after);
            return new Changes(added, removed);
        }

        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty();
        }
    }

    /** From {@code before} to {@code after}. */
    public static ProfileDiff between(Profile before, Profile after) {
        Set<Arch> arches = EnumSet.noneOf(Arch.class);
        arches.addAll(before.arches());
        arches.addAll(after.arches());
        TreeMap<Arch, Changes> workload = new TreeMap<>();
        TreeMap<Arch, Changes> runtime = new TreeMap<>();
        TreeMap<Arch, Map<String, Changes>> arguments = new TreeMap<>();
        for (Arch arch : arches) {
            ArchProfile b = before.arch(arch);
            ArchProfile a = after.arch(arch);
            putIfChanged(workload, arch, Changes.of(b.workload().keySet(), a.workload().keySet()));
            putIfChanged(runtime, arch, Changes.of(b.runtime().keySet(), a.runtime().keySet()));
            Map<String, Changes> args = new LinkedHashMap<>();
            for (ArgumentSpec spec : ArgumentSpec.LEARNED) {
                Changes c = Changes.of(values(b, spec), values(a, spec));
                if (!c.isEmpty()) {
                    args.put(spec.syscall() + " #" + spec.index() + " " + spec.name(), c);
                }
            }
            if (!args.isEmpty()) {
                arguments.put(arch, Collections.unmodifiableMap(args));
            }
        }
        Function<Map<Capability, CapabilityUse>, Set<String>> capNames =
                m -> m.keySet().stream().map(Capability::capName).collect(java.util.stream.Collectors.toSet());
        return new ProfileDiff(Collections.unmodifiableSortedMap(workload), Collections.unmodifiableSortedMap(runtime),
                Collections.unmodifiableSortedMap(arguments),
                Changes.of(capNames.apply(before.capsGranted()), capNames.apply(after.capsGranted())),
                Changes.of(capNames.apply(before.capsDenied()), capNames.apply(after.capsDenied())),
                Changes.of(before.executables().keySet(), after.executables().keySet()));
    }

    private static void putIfChanged(Map<Arch, Changes> out, Arch arch, Changes c) {
        if (!c.isEmpty()) {
            out.put(arch, c);
        }
    }

    private static Set<String> values(ArchProfile p, ArgumentSpec spec) {
        Set<String> out = new TreeSet<>();
        p.argument(spec).ifPresent(v -> v.values().forEach(x -> out.add("0x" + Long.toHexString(x))));
        return out;
    }

    /** True when the two profiles learned the same things. */
    public boolean isEmpty() {
        return workload.isEmpty() && runtime.isEmpty() && arguments.isEmpty() && granted.isEmpty()
                && denied.isEmpty() && executables.isEmpty();
    }
}
