package io.eunomia.event;

import java.util.Map;

/**
 * A privilege or kernel-surface system call (setuid family, ptrace, process_vm_readv/writev, module loading, mount,
 * unshare/setns, bpf, memfd_create, setuid/setgid mode bits, kill, socket) with its result.
 *
 * @param syscall name, e.g. "setuid"
 * @param number  the syscall number on this architecture
 * @param args    numeric arguments by name (e.g. "uid", "request", "flags"), in call order; then
 *                {@value #TEXT_CHANGED} = 1 when the caller rewrote a path argument while the call ran
 * @param strings string arguments by name (e.g. "target", "fstype", "name", "path")
 * @param result  the return value or -errno
 */
public record SyscallEvent(long epochNanos, ProcessInfo process, String syscall, int number, Map<String, Long> args,
                           Map<String, String> strings, long result) implements Event {
    /**
     * Not an argument: present (1) when the sensor read a path argument at the call's entry and at
     * its exit and the two differed (TOCTOU; the xattr calls by path): no benign program does that.
     */
    public static final String TEXT_CHANGED = "text_changed";

    public SyscallEvent {
        args = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
        strings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(strings));
    }

    @Override
    public SyscallEvent withProcess(ProcessInfo newProcess) {
        return new SyscallEvent(epochNanos, newProcess, syscall, number, args, strings, result);
    }

    @Override
    public EventType type() {
        return EventType.SYSCALL;
    }

    public long arg(String name, long fallback) {
        return args.getOrDefault(name, fallback);
    }

    /** Whether the caller rewrote a path argument while the call ran ({@link #TEXT_CHANGED}). */
    public boolean textChanged() {
        return arg(TEXT_CHANGED, 0) != 0;
    }

    public boolean succeeded() {
        return result >= 0;
    }
}
