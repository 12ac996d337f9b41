package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathNormalizer;
import io.eunomia.event.ExecCredentials;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Decoders for process.bpf.c's records (struct exec_event, exit_event, fork_event). */
public final class ProcessRecords {
    private static final int H = Header.SIZE;
    static final Layout.Struct EXEC_EVENT = new Layout.Struct("exec_event", H + 64);
    static final Layout.Int32 OLD_PID = EXEC_EVENT.int32("old_pid", H);
    static final Layout.Int32 ARGC = EXEC_EVENT.int32("argc", H + 4);
    static final Layout.Int16 FILENAME_LEN = EXEC_EVENT.int16("filename_len", H + 8);
    static final Layout.Int16 ARGV_LEN = EXEC_EVENT.int16("argv_len", H + 10);
    static final Layout.Int16 TTY_LEN = EXEC_EVENT.int16("tty_len", H + 12);
    static final Layout.Int8 STDIN_KIND = EXEC_EVENT.int8("stdin_kind", H + 14);
    static final Layout.Int8 STDOUT_KIND = EXEC_EVENT.int8("stdout_kind", H + 15);
    static final Layout.Int8 STDERR_KIND = EXEC_EVENT.int8("stderr_kind", H + 16);
    static final Layout.Int8 ARGV_TRUNCATED = EXEC_EVENT.int8("argv_truncated", H + 17);
    static final Layout.Int16 SCRIPT_LEN = EXEC_EVENT.int16("script_len", H + 18);
    static final Layout.Int16 CWD_LEN = EXEC_EVENT.int16("cwd_len", H + 20);
    static final Layout.Int8 NO_NEW_PRIVS = EXEC_EVENT.int8("no_new_privs", H + 22);
    static final Layout.Int8 CAPS_FROM_FILE = EXEC_EVENT.int8("caps_from_file", H + 23);
    static final Layout.Int64 CAP_EFFECTIVE = EXEC_EVENT.int64("cap_effective", H + 24);
    static final Layout.Int64 CAP_PERMITTED = EXEC_EVENT.int64("cap_permitted", H + 32);
    static final Layout.Int32 SECCOMP_MODE = EXEC_EVENT.int32("seccomp_mode", H + 40);
    static final Layout.Int32 VPID = EXEC_EVENT.int32("vpid", H + 44);
    static final Layout.Int16 ROOT_LEN = EXEC_EVENT.int16("root_len", H + 48);
    static final Layout.Int8 CWD_DROPPED = EXEC_EVENT.int8("cwd_dropped", H + 50);
    static final Layout.Int32 ROOT_DEV = EXEC_EVENT.int32("root_dev", H + 52);
    static final Layout.Int64 ROOT_INO = EXEC_EVENT.int64("root_ino", H + 56);

    /**
     * A container process's root directory as the kernel saw it at the exec: its file system's
     * device (major, minor), inode and path from that file system's root (mounts not followed).
     */
    public record Root(int major, int minor, long ino, String fsPath) {}

    static final Layout.Struct EXIT_EVENT = new Layout.Struct("exit_event", H + 8);
    static final Layout.Int32 EXIT_CODE = EXIT_EVENT.int32("exit_code", H);

    static final Layout.Struct FORK_EVENT = new Layout.Struct("fork_event", H + 8);
    static final Layout.Int32 CHILD_PID = FORK_EVENT.int32("child_pid", H);

    private ProcessRecords() {}

    public static ExecEvent exec(Header h, RecordReader r) {
        int oldPid = r.s32(OLD_PID);
        int argc = r.s32(ARGC);
        int filenameLen = r.u16(FILENAME_LEN);
        int argvLen = r.u16(ARGV_LEN);
        int ttyLen = r.u16(TTY_LEN);
        StreamKind in = StreamKind.ofCode(r.u8(STDIN_KIND));
        StreamKind out = StreamKind.ofCode(r.u8(STDOUT_KIND));
        StreamKind err = StreamKind.ofCode(r.u8(STDERR_KIND));
        boolean truncated = r.u8(ARGV_TRUNCATED) != 0;
        int scriptLen = r.u16(SCRIPT_LEN);
        int cwdLen = r.u16(CWD_LEN);
        r.at(EXEC_EVENT);
        String exe = h.result() == 0 ? r.nextString(filenameLen, FileRecords.PATHS)
                : PathNormalizer.normalize(r.nextString(filenameLen, FileRecords.PATHS));
        List<String> argv = splitArgv(argvLen == 0 ? new byte[0] : r.nextBytes(argvLen));
        String tty = r.nextString(ttyLen);
        r.skip(r.u16(ROOT_LEN));  // read by root(): it comes before the script so that it always fits
        String script = scriptLen == 0 ? "" : PathNormalizer.normalize(r.nextString(scriptLen));
        boolean cwdDropped = r.u8(CWD_DROPPED) != 0;
        String walked = cwdLen == 0 || cwdDropped ? "" : r.nextString(cwdLen, FileRecords.PATHS);  // a shell's children share it
        // "//...": the walk did not reach the task's root (too deep, outside it): no cwd to name;
        // cwd_dropped (no cwd_len): the strings before it filled the record; not known either way,
        // said in the event (cwdDropped) so that "" does not read as a process without one
        String cwd = walked.startsWith("//") ? "" : walked;
        if (script.isEmpty() && h.result() == 0) {
            // No #! script: an interpreter may have been given one by argument (sh /tmp/x).
            script = InterpreterScripts.of(exe, argv, cwd)
                    .filter(s -> ScriptFiles.isProgramFile(h.process().pid(), s)).orElse("");
        }
        ExecCredentials credentials = h.result() == 0
                ? new ExecCredentials(r.s64(CAP_EFFECTIVE), r.s64(CAP_PERMITTED), r.s32(SECCOMP_MODE), r.s32(VPID),
                        r.u8(CAPS_FROM_FILE) != 0) : null;
        return new ExecEvent(h.epochNanos(), h.process(), oldPid, exe, argv, argc, truncated, tty, in, out, err, h.result(),
                script, r.u8(NO_NEW_PRIVS) != 0, credentials, cwd, cwdDropped);
    }

    /**
     * The root of an exec record's task outside the host's mount namespace (its path is the string
     * after the tty: process.bpf.c writes it before the script and the cwd so that it always fits);
     * empty for the host's or a root the kernel did not reach.
     */
    public static java.util.Optional<Root> root(RecordReader r) {
        int len = r.u16(ROOT_LEN);
        if (len == 0) {
            return java.util.Optional.empty();
        }
        r.at(EXEC_EVENT).skip(r.u16(FILENAME_LEN) + r.u16(ARGV_LEN) + r.u16(TTY_LEN));
        long dev = r.u32(ROOT_DEV);
        return java.util.Optional.of(new Root((int) (dev >>> 20), (int) (dev & 0xfffff), r.s64(ROOT_INO), r.nextString(len)));
    }

    public static ExitEvent exit(Header h, RecordReader r) {
        return new ExitEvent(h.epochNanos(), h.process(), r.s32(EXIT_CODE));
    }

    public static ForkEvent fork(Header h, RecordReader r) {
        return new ForkEvent(h.epochNanos(), h.process(), r.s32(CHILD_PID));
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
