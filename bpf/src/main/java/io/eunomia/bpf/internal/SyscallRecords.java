package io.eunomia.bpf.internal;

import io.eunomia.event.SyscallArguments;
import io.eunomia.event.SyscallEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoder for priv.bpf.c's record (struct syscall_event of events.h). Which arguments and
 * strings a call's record holds, in which order, comes from the table the programs are built
 * from ({@link SyscallArguments}).
 */
public final class SyscallRecords {
    private static final int H = Header.SIZE;
    static final Layout.Struct SYSCALL_EVENT = new Layout.Struct("syscall_event", H + 64);
    static final Layout.Int64 ARGS = SYSCALL_EVENT.int64s("args", H, 6);
    static final Layout.Int16 STR_LEN = SYSCALL_EVENT.int16s("str_len", H + 48, 4);
    static final Layout.Int16 NARGS = SYSCALL_EVENT.int16("nargs", H + 56);
    /** 1: a path the call's enter and exit read differed (priv_calls.h PATH_TEXT), reported as the argument TEXT_CHANGED. */
    static final Layout.Int16 TEXT_CHANGED_FLAG = SYSCALL_EVENT.int16("text_changed", H + 58);
    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());

    /** What each call's record carries, by name: the table priv.bpf.c is built from. */
    static final Map<String, SyscallArguments.Call> CALLS = SyscallArguments.load();

    private SyscallRecords() {}

    public static SyscallEvent syscall(Header h, RecordReader r) {
        if (r.size() < SYSCALL_EVENT.size()) {
            throw new IndexOutOfBoundsException("syscall record of " + r.size() + " bytes, fixed part is " + SYSCALL_EVENT.size());
        }
        String name = SYSCALLS.nameOrNumber(h.syscallNr());
        SyscallArguments.Call call = CALLS.get(name);
        int nargs = Math.min(r.u16(NARGS), ARGS.count());
        Map<String, Long> args = new LinkedHashMap<>();
        for (int i = 0; i < nargs; i++) {
            // A syscall the table does not name (a newer sensor) still shows its values.
            String argName = call != null && i < call.args().size() ? call.args().get(i) : "arg" + i;
            args.put(argName, r.s64(ARGS, i));
        }
        if (r.u16(TEXT_CHANGED_FLAG) != 0) {
            args.put(SyscallEvent.TEXT_CHANGED, 1L);
        }
        Map<String, String> strings = new LinkedHashMap<>();
        r.at(SYSCALL_EVENT);
        for (int i = 0; i < STR_LEN.count(); i++) {
            int len = r.u16(STR_LEN, i);
            String value = r.nextString(len);
            boolean named = call != null && i < call.strings().size();
            if (named) {
                strings.put(call.strings().get(i), value);
            } else if (len > 0) {
                strings.put("str" + i, value);
            }
        }
        return new SyscallEvent(h.epochNanos(), h.process(), name, h.syscallNr(), args, strings, h.result());
    }
}
