package io.eunomia.bpf.internal;

import io.eunomia.event.SyscallEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoder for priv.bpf.c's record (struct syscall_event of events.h). The kernel side stores,
 * per syscall, the arguments and strings listed in {@link #SHAPES}, in that order: change both
 * together.
 */
public final class SyscallRecords {
    public static final int TYPE_SYSCALL = 40;

    private static final int H = Header.SIZE;
    private static final int ARGS = 6;
    private static final int STRS = 3;
    static final int FIXED = H + ARGS * 8 + STRS * 2 + 2;
    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());

    /** Names of a syscall's reported numeric arguments and strings. */
    record Shape(List<String> args, List<String> strings) {
        static Shape of(List<String> args, List<String> strings) {
            return new Shape(args, strings);
        }
    }

    // The set*id calls end with the caller's real, effective and saved id from before the call
    // (prev_*): the header's ids are read after it, when a call that succeeded has changed them.
    static final Map<String, Shape> SHAPES = Map.ofEntries(
            Map.entry("setuid", Shape.of(List.of("uid", "prev_uid", "prev_euid", "prev_suid"), List.of())),
            Map.entry("setgid", Shape.of(List.of("gid", "prev_gid", "prev_egid", "prev_sgid"), List.of())),
            Map.entry("setfsuid", Shape.of(List.of("uid"), List.of())),
            Map.entry("setfsgid", Shape.of(List.of("gid"), List.of())),
            Map.entry("setreuid", Shape.of(List.of("ruid", "euid", "prev_uid", "prev_euid", "prev_suid"), List.of())),
            Map.entry("setregid", Shape.of(List.of("rgid", "egid", "prev_gid", "prev_egid", "prev_sgid"), List.of())),
            Map.entry("setresuid", Shape.of(List.of("ruid", "euid", "suid", "prev_uid", "prev_euid", "prev_suid"), List.of())),
            Map.entry("setresgid", Shape.of(List.of("rgid", "egid", "sgid", "prev_gid", "prev_egid", "prev_sgid"), List.of())),
            Map.entry("unshare", Shape.of(List.of("flags"), List.of())),
            Map.entry("ptrace", Shape.of(List.of("request", "pid"), List.of())),
            Map.entry("kill", Shape.of(List.of("pid", "sig"), List.of())),
            Map.entry("socket", Shape.of(List.of("family", "type", "protocol"), List.of())),
            Map.entry("bpf", Shape.of(List.of("cmd"), List.of())),
            Map.entry("init_module", Shape.of(List.of("len"), List.of("params"))),
            Map.entry("finit_module", Shape.of(List.of("fd", "flags"), List.of("path", "params"))),
            Map.entry("delete_module", Shape.of(List.of("flags"), List.of("name"))),
            Map.entry("mount", Shape.of(List.of("flags"), List.of("source", "target", "fstype"))),
            Map.entry("umount2", Shape.of(List.of("flags"), List.of("target"))),
            Map.entry("setns", Shape.of(List.of("fd", "nstype"), List.of("path"))),
            Map.entry("memfd_create", Shape.of(List.of("flags"), List.of("name"))),
            Map.entry("chmod", Shape.of(List.of("mode"), List.of("path"))),
            Map.entry("fchmod", Shape.of(List.of("mode"), List.of("path"))),
            Map.entry("fchmodat", Shape.of(List.of("mode"), List.of("path"))),
            Map.entry("fchmodat2", Shape.of(List.of("mode", "flags"), List.of("path"))));

    private SyscallRecords() {}

    public static SyscallEvent syscall(Header h, RecordReader r) {
        if (r.size() < FIXED) {
            throw new IndexOutOfBoundsException("syscall record of " + r.size() + " bytes, fixed part is " + FIXED);
        }
        String name = SYSCALLS.nameOrNumber(h.syscallNr());
        Shape shape = SHAPES.get(name);
        int nargs = Math.min(r.u16(H + ARGS * 8 + STRS * 2), ARGS);
        Map<String, Long> args = new LinkedHashMap<>();
        for (int i = 0; i < nargs; i++) {
            // A syscall this decoder has no shape for (a newer sensor) still shows its values.
            String argName = shape != null && i < shape.args().size() ? shape.args().get(i) : "arg" + i;
            args.put(argName, r.s64(H + i * 8L));
        }
        Map<String, String> strings = new LinkedHashMap<>();
        r.at(FIXED);
        for (int i = 0; i < STRS; i++) {
            int len = r.u16(H + ARGS * 8 + i * 2L);
            String value = r.nextString(len);
            boolean named = shape != null && i < shape.strings().size();
            if (named) {
                strings.put(shape.strings().get(i), value);
            } else if (len > 0) {
                strings.put("str" + i, value);
            }
        }
        return new SyscallEvent(h.epochNanos(), h.process(), name, h.syscallNr(), args, strings, h.result());
    }
}
