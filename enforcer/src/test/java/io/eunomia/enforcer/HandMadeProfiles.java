package io.eunomia.enforcer;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import io.eunomia.profiler.SyscallUse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learned profiles written by hand, for the emitters' golden tests: they pin exact inputs (the
 * real learning is exercised in the runtime tests).
 */
public final class HandMadeProfiles {
    public static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private HandMadeProfiles() {
    }

    public static TreeMap<String, SyscallUse> calls(String... names) {
        TreeMap<String, SyscallUse> m = new TreeMap<>();
        for (String n : names) {
            m.put(n, new SyscallUse(n, T0));
        }
        return m;
    }

    public static ArgumentValues values(ArgumentSpec spec, boolean overflow, Long... values) {
        return new ArgumentValues(spec, new TreeSet<>(List.of(values)), overflow, T0);
    }

    /**
     * A small web-ish workload learned under docker (runc, no_new_privs off): files, an IPv4/IPv6
     * TCP/UDP client, a clone without namespaces, one prctl option, more ioctl requests than the
     * learner keeps; CAP_NET_BIND_SERVICE granted, CAP_SYS_ADMIN tried and refused.
     */
    public static Profile web() {
        ProfileMetadata meta = new ProfileMetadata("web-1", "registry.example/web:1.2",
                new TreeSet<>(Set.of(new RuntimeInfo("runc", "1.1.5", "docker"))), List.of("abc123"),
                new TreeSet<>(Set.of(0)), false, T0, T0.plusSeconds(60), List.of());
        ArchProfile x64 = new ArchProfile(Arch.X86_64,
                calls("read", "write", "openat", "close", "fstat", "mmap", "execve", "exit_group", "socket", "connect",
                        "clone", "wait4", "prctl", "ioctl", "bind", "listen", "accept4", "epoll_pwait", "mkdirat"),
                calls("pivot_root", "mount"),
                List.of(values(ArgumentSpec.SOCKET_FAMILY, false, 2L, 10L),
                        values(ArgumentSpec.SOCKET_TYPE, false, 1L, 2L),
                        values(ArgumentSpec.CLONE_FLAGS, false, 0L),
                        values(ArgumentSpec.PRCTL_OPTION, false, 15L),
                        values(ArgumentSpec.IOCTL_REQUEST, true, 0x5401L)));
        TreeMap<Capability, CapabilityUse> granted = new TreeMap<>();
        granted.put(Capability.NET_BIND_SERVICE, new CapabilityUse(Capability.NET_BIND_SERVICE, T0));
        TreeMap<Capability, CapabilityUse> denied = new TreeMap<>();
        denied.put(Capability.SYS_ADMIN, new CapabilityUse(Capability.SYS_ADMIN, T0));
        TreeMap<String, Executable> exes = new TreeMap<>();
        exes.put("/usr/bin/web", new Executable("/usr/bin/web", new TreeSet<>(), 1, T0));
        return new Profile(meta, new TreeMap<>(Map.of(Arch.X86_64, x64)), granted, denied, exes);
    }

    /** The same workload with an x86_64-only call (open) and a few ia32 calls. */
    public static Profile webWithOpenAndIa32() {
        Profile w = web();
        ArchProfile x64 = w.arch(Arch.X86_64);
        TreeMap<String, SyscallUse> more = new TreeMap<>(x64.workload());
        more.put("open", new SyscallUse("open", T0));
        ArchProfile x86 = new ArchProfile(Arch.X86, calls("read", "socketcall", "_llseek"), new TreeMap<>(), List.of());
        return new Profile(w.metadata(), new TreeMap<>(Map.of(Arch.X86_64,
                new ArchProfile(Arch.X86_64, more, x64.runtime(), x64.arguments()), Arch.X86, x86)),
                w.capsGranted(), w.capsDenied(), w.executables());
    }
}
