package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathNormalizer;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;

/** Decoder for file.bpf.c's record (struct file_event of events.h). */
public final class FileRecords {
    public static final int TYPE_FILE = 10;

    private static final int H = Header.SIZE;
    private static final int FLAGS = H;
    private static final int MODE = H + 4;
    private static final int UID = H + 8;
    private static final int GID = H + 12;
    private static final int OP = H + 16;
    private static final int PATH_LEN = H + 18;
    private static final int NEW_PATH_LEN = H + 20;
    private static final int PATH_KIND = H + 22;
    /** FILE_PATH_CANONICAL of events.h: resolved from an open file. */
    private static final int PATH_CANONICAL = 1;
    private static final int FIXED = H + 24;

    /** enum file_op of events.h, by code. */
    private static final FileOp[] OPS = {
        FileOp.OPEN, FileOp.UNLINK, FileOp.RENAME, FileOp.LINK, FileOp.SYMLINK,
        FileOp.TRUNCATE, FileOp.CHMOD, FileOp.CHOWN, FileOp.MKDIR,
    };

    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());

    private FileRecords() {}

    public static FileEvent file(Header h, RecordReader r) {
        int opCode = r.u16(OP);
        if (opCode >= OPS.length) {
            throw new IllegalArgumentException("unknown file op code " + opCode);
        }
        FileOp op = OPS[opCode];
        r.at(FIXED);
        String path = r.nextString(r.u16(PATH_LEN));
        String newPath = PathNormalizer.normalize(r.nextString(r.u16(NEW_PATH_LEN)));
        // A symlink's target is text the kernel resolves against the link's directory when followed.
        path = op == FileOp.SYMLINK ? PathNormalizer.resolveSymlinkTarget(newPath, path) : PathNormalizer.normalize(path);
        return new FileEvent(h.epochNanos(), h.process(), op, SYSCALLS.nameOrNumber(h.syscallNr()), path, newPath,
                r.s32(FLAGS), r.s32(MODE), r.s32(UID), r.s32(GID), h.result(), r.u8(PATH_KIND) == PATH_CANONICAL);
    }
}
