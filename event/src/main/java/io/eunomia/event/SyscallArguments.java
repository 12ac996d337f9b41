package io.eunomia.event;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The arguments a {@link SyscallEvent} carries, per system call: numeric ones ({@code args}) and
 * strings ({@code strings}), by name, in the order the privilege sensor records them. Rules name
 * them {@code syscall.arg.NAME} and {@code syscall.str.NAME}.
 *
 * @param numbers names of the numeric arguments
 * @param strings names of the string arguments
 */
public record SyscallArguments(List<String> numbers, List<String> strings) {
    public SyscallArguments {
        numbers = List.copyOf(numbers);
        strings = List.copyOf(strings);
    }

    private static SyscallArguments of(List<String> numbers, List<String> strings) {
        return new SyscallArguments(numbers, strings);
    }

    // The set*id calls end with the caller's real, effective and saved id from before the call
    // (prev_*): the event's process ids are read after it, when a call that succeeded has changed them.
    private static final Map<String, SyscallArguments> BY_SYSCALL = Map.ofEntries(
            Map.entry("setuid", of(List.of("uid", "prev_uid", "prev_euid", "prev_suid"), List.of())),
            Map.entry("setgid", of(List.of("gid", "prev_gid", "prev_egid", "prev_sgid"), List.of())),
            Map.entry("setfsuid", of(List.of("uid"), List.of())),
            Map.entry("setfsgid", of(List.of("gid"), List.of())),
            Map.entry("setreuid", of(List.of("ruid", "euid", "prev_uid", "prev_euid", "prev_suid"), List.of())),
            Map.entry("setregid", of(List.of("rgid", "egid", "prev_gid", "prev_egid", "prev_sgid"), List.of())),
            Map.entry("setresuid", of(List.of("ruid", "euid", "suid", "prev_uid", "prev_euid", "prev_suid"), List.of())),
            Map.entry("setresgid", of(List.of("rgid", "egid", "sgid", "prev_gid", "prev_egid", "prev_sgid"), List.of())),
            Map.entry("unshare", of(List.of("flags"), List.of())),
            Map.entry("ptrace", of(List.of("request", "pid"), List.of())),
            Map.entry("kill", of(List.of("pid", "sig"), List.of())),
            Map.entry("socket", of(List.of("family", "type", "protocol"), List.of())),
            Map.entry("bpf", of(List.of("cmd"), List.of())),
            Map.entry("init_module", of(List.of("len"), List.of("params"))),
            Map.entry("finit_module", of(List.of("fd", "flags"), List.of("path", "params"))),
            Map.entry("delete_module", of(List.of("flags"), List.of("name"))),
            Map.entry("mount", of(List.of("flags"), List.of("source", "target", "fstype"))),
            Map.entry("umount2", of(List.of("flags"), List.of("target"))),
            Map.entry("setns", of(List.of("fd", "nstype"), List.of("path"))),
            Map.entry("memfd_create", of(List.of("flags"), List.of("name"))),
            Map.entry("chmod", of(List.of("mode"), List.of("path"))),
            Map.entry("fchmod", of(List.of("mode"), List.of("path"))),
            Map.entry("fchmodat", of(List.of("mode"), List.of("path"))),
            Map.entry("fchmodat2", of(List.of("mode", "flags"), List.of("path"))));

    /** The arguments of a system call the sensor reports. */
    public static Optional<SyscallArguments> of(String syscall) {
        return Optional.ofNullable(BY_SYSCALL.get(syscall));
    }

    /** Each numeric argument name → the calls that have it (sorted). */
    public static Map<String, List<String>> numberNames() {
        return invert(true);
    }

    /** Each string argument name → the calls that have it (sorted). */
    public static Map<String, List<String>> stringNames() {
        return invert(false);
    }

    private static Map<String, List<String>> invert(boolean numbers) {
        Map<String, TreeSet<String>> calls = new TreeMap<>();
        BY_SYSCALL.forEach((call, a) -> (numbers ? a.numbers() : a.strings())
                .forEach(n -> calls.computeIfAbsent(n, k -> new TreeSet<>()).add(call)));
        Map<String, List<String>> out = new TreeMap<>();
        calls.forEach((n, c) -> out.put(n, List.copyOf(c)));
        return out;
    }
}
