package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a container did under one syscall ABI.
 *
 * @param arch      the ABI ({@link Arch#X86} holds the ia32 calls of an x86_64 host, in ia32 numbering/names)
 * @param workload  the workload's syscalls, by name: everything from its first exec on
 * @param runtime   the runtime's set-up syscalls in the container (before the workload's first
 *                  exec: runc/crun init), by name; a generator adds the runtime's baseline
 *                  rather than trusting these
 * @param arguments argument values seen, for the calls of {@link ArgumentSpec#LEARNED} (workload only),
 *                  in that order
 */
public record ArchProfile(Arch arch, SortedMap<String, SyscallUse> workload, SortedMap<String, SyscallUse> runtime,
                          List<ArgumentValues> arguments) {
    private static final Comparator<ArgumentValues> ARG_ORDER =
            Comparator.comparingInt(a -> ArgumentSpec.LEARNED.indexOf(a.spec()));

    public ArchProfile {
        Objects.requireNonNull(arch, "arch");
        workload = checked(workload);
        runtime = checked(runtime);
        List<ArgumentValues> args = new ArrayList<>(arguments);
        args.sort(ARG_ORDER);
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).spec().equals(args.get(i - 1).spec())) {
                throw new IllegalArgumentException("argument listed twice: " + args.get(i).spec().syscall()
                        + " arg " + args.get(i).spec().index());
            }
        }
        arguments = List.copyOf(args);
    }

    public static ArchProfile empty(Arch arch) {
        return new ArchProfile(arch, new TreeMap<>(), new TreeMap<>(), List.of());
    }

    private static SortedMap<String, SyscallUse> checked(Map<String, SyscallUse> calls) {
        TreeMap<String, SyscallUse> copy = new TreeMap<>();
        calls.forEach((name, use) -> {
            if (!name.equals(use.name())) {
                throw new IllegalArgumentException("syscall keyed " + name + " is named " + use.name());
            }
            copy.put(name, use);
        });
        return Collections.unmodifiableSortedMap(copy);
    }

    public boolean isEmpty() {
        return workload.isEmpty() && runtime.isEmpty() && arguments.isEmpty();
    }

    /** Union of two profiles of the same ABI. */
    public ArchProfile union(ArchProfile other) {
        if (arch != other.arch) {
            throw new IllegalArgumentException("different architectures: " + arch.id() + " and " + other.arch.id());
        }
        Map<ArgumentSpec, ArgumentValues> args = new LinkedHashMap<>();
        for (ArgumentValues a : arguments) {
            args.put(a.spec(), a);
        }
        for (ArgumentValues a : other.arguments) {
            args.merge(a.spec(), a, ArgumentValues::union);
        }
        return new ArchProfile(arch, unionCalls(workload, other.workload), unionCalls(runtime, other.runtime),
                new ArrayList<>(args.values()));
    }

    static SortedMap<String, SyscallUse> unionCalls(Map<String, SyscallUse> a, Map<String, SyscallUse> b) {
        TreeMap<String, SyscallUse> out = new TreeMap<>(a);
        b.forEach((name, use) -> out.merge(name, use, SyscallUse::union));
        return out;
    }

    /** The values learned for one argument, if any. */
    public java.util.Optional<ArgumentValues> argument(ArgumentSpec spec) {
        return arguments.stream().filter(a -> a.spec().equals(spec)).findFirst();
    }
}
