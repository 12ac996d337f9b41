package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathNormalizer;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Decoders for process.bpf.c's records (struct exec_event, exit_event, fork_event). */
public final class ProcessRecords {
    public static final int TYPE_EXEC = 1;
    public static final int TYPE_EXIT = 2;
    public static final int TYPE_FORK = 3;

    private static final int H = Header.SIZE;
    private static final int EXEC_FIXED = H + 24;

    private ProcessRecords() {}

    public static ExecEvent exec(Header h, RecordReader r) {
        int oldPid = r.s32(H);
        int argc = r.s32(H + 4);
        int filenameLen = r.u16(H + 8);
        int argvLen = r.u16(H + 10);
        int ttyLen = r.u16(H + 12);
        StreamKind in = StreamKind.ofCode(r.u8(H + 14));
        StreamKind out = StreamKind.ofCode(r.u8(H + 15));
        StreamKind err = StreamKind.ofCode(r.u8(H + 16));
        boolean truncated = r.u8(H + 17) != 0;
        r.at(EXEC_FIXED);
        String exe = h.result() == 0 ? r.nextString(filenameLen) : PathNormalizer.normalize(r.nextString(filenameLen));
        List<String> argv = splitArgv(argvLen == 0 ? new byte[0] : r.nextBytes(argvLen));
        String tty = r.nextString(ttyLen);
        return new ExecEvent(h.epochNanos(), h.process(), oldPid, exe, argv, argc, truncated, tty, in, out, err, h.result());
    }

    public static ExitEvent exit(Header h, RecordReader r) {
        return new ExitEvent(h.epochNanos(), h.process(), r.s32(H));
    }

    public static ForkEvent fork(Header h, RecordReader r) {
        return new ForkEvent(h.epochNanos(), h.process(), r.s32(H));
    }

    /** argv as the kernel lays it out: NUL-terminated strings back to back (last NUL added by us). */
    static List<String> splitArgv(byte[] raw) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                if (i > start || i < raw.length - 1) {
                    out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        if (start < raw.length) {
            out.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }
}
