package io.eunomia.bpf.internal;

import io.eunomia.event.SyscallArguments;
import io.eunomia.event.SyscallEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoder for priv.bpf.c's record (struct syscall_event of events.h). The kernel side stores,
 * per syscall, the arguments and strings {@link SyscallArguments} lists, in that order: change
 * both together.
 */
public final class SyscallRecords {
    public static final int TYPE_SYSCALL = 40;

    private static final int H = Header.SIZE;
    private static final int ARGS = 6;
    private static final int STRS = 3;
    static final int FIXED = H + ARGS * 8 + STRS * 2 + 2;
    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());

    private SyscallRecords() {}

    public static SyscallEvent syscall(Header h, RecordReader r) {
        if (r.size() < FIXED) {
            throw new IndexOutOfBoundsException("syscall record of " + r.size() + " bytes, fixed part is " + FIXED);
        }
        String name = SYSCALLS.nameOrNumber(h.syscallNr());
        SyscallArguments shape = SyscallArguments.of(name).orElse(null);
        int nargs = Math.min(r.u16(H + ARGS * 8 + STRS * 2), ARGS);
        Map<String, Long> args = new LinkedHashMap<>();
        for (int i = 0; i < nargs; i++) {
            // A syscall this decoder has no shape for (a newer sensor) still shows its values.
            String argName = shape != null && i < shape.numbers().size() ? shape.numbers().get(i) : "arg" + i;
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
