package io.eunomia.bpf.internal;

import io.eunomia.bpf.paths.TaskRoot;
import io.eunomia.event.path.PathNormalizer;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.FileTimes;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;

/** Decoder for file.bpf.c's record (struct file_event of events.h). */
public final class FileRecords {
    private static final int H = Header.SIZE;
    static final Layout.Struct FILE_EVENT = new Layout.Struct("file_event", H + 96);
    static final Layout.Int32 FLAGS = FILE_EVENT.int32("flags", H);
    static final Layout.Int32 MODE = FILE_EVENT.int32("mode", H + 4);
    static final Layout.Int32 UID = FILE_EVENT.int32("uid", H + 8);
    static final Layout.Int32 GID = FILE_EVENT.int32("gid", H + 12);
    static final Layout.Int16 OP = FILE_EVENT.int16("op", H + 16);
    static final Layout.Int16 PATH_LEN = FILE_EVENT.int16("path_len", H + 18);
    static final Layout.Int16 NEW_PATH_LEN = FILE_EVENT.int16("new_path_len", H + 20);
    static final Layout.Int8 PATH_KIND = FILE_EVENT.int8("path_kind", H + 22);
    static final Layout.Int8 PATH_ALIAS = FILE_EVENT.int8("path_alias", H + 23);
    static final Layout.Int32 UNNAMED = FILE_EVENT.int32("unnamed", H + 24);
    static final Layout.Int32 DEV = FILE_EVENT.int32("dev", H + 28);
    static final Layout.Int64 INO = FILE_EVENT.int64("ino", H + 32);
    /** FILE_TEXT_CHANGED_* of enum file_text_changed: the caller's text at exit was not the entry's. */
    static final Layout.Int32 TEXT_CHANGED = FILE_EVENT.int32("text_changed", H + 40);
    /** FILE_FACT_* of enum file_fact (events.h). */
    static final Layout.Int32 FACTS = FILE_EVENT.int32("facts", H + 44);
    /** FILE_FACT_OTHER_PROC_MEM: an open of another process's /proc/PID/mem. */
    static final int FACT_OTHER_PROC_MEM = 1;
    /** FILE_FACT_HOST_PATH: a container's open (or fd call) of a host file through a bind mount; path is the host's, new_path the name used. */
    static final int FACT_HOST_PATH = 2;
    /** The task's own root directory at the call (a chroot's): its inode and its mount's id (unique on 6.8+). */
    static final Layout.Int64 ROOT_INO = FILE_EVENT.int64("root_ino", H + 48);
    static final Layout.Int64 ROOT_MNT_ID = FILE_EVENT.int64("root_mnt_id", H + 56);
    /** UTIMES: the times set, a timespec pair (a nsec of UTIME_OMIT: that time left as it was). */
    static final Layout.Int64 ATIME_SEC = FILE_EVENT.int64("atime_sec", H + 64);
    static final Layout.Int64 ATIME_NSEC = FILE_EVENT.int64("atime_nsec", H + 72);
    static final Layout.Int64 MTIME_SEC = FILE_EVENT.int64("mtime_sec", H + 80);
    static final Layout.Int64 MTIME_NSEC = FILE_EVENT.int64("mtime_nsec", H + 88);
    /** FILE_PATH_CANONICAL of enum file_path_kind (events.h): resolved from an open file. */
    static final int PATH_CANONICAL = 1;
    /** FILE_PATH_LEXICAL: dirfd/cwd + the caller's string. */
    static final int PATH_LEXICAL = 2;

    /** enum file_op of events.h, by code. */
    private static final FileOp[] OPS = {
        FileOp.OPEN, FileOp.UNLINK, FileOp.RENAME, FileOp.LINK, FileOp.SYMLINK,
        FileOp.TRUNCATE, FileOp.CHMOD, FileOp.CHOWN, FileOp.MKDIR, FileOp.UTIMES,
    };

    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());
    /**
     * Paths, shared by every decoding thread (see TextCache): a busy program opens a few paths over
     * and over; a normalized path is the raw one itself, so the event's path is the cached String.
     */
    public static final TextCache PATHS = new TextCache(1024);

    private FileRecords() {}

    /**
     * Whether a raw record, decodable or not, is one file.bpf.c counted as a hard link reported
     * (emit_file_event: op link, result 0); only the fixed fields are read. False when it is too
     * short to say.
     */
    public static boolean reportedLink(RecordReader r) {
        return r.size() >= FILE_EVENT.size() && r.u16(Header.TYPE) == RecordType.FILE.code()
                && r.u16(OP) < OPS.length && OPS[r.u16(OP)] == FileOp.LINK && r.s64(Header.RET) == 0;
    }

    public static FileEvent file(Header h, RecordReader r) {
        FileOp op = op(r.u16(OP));
        r.at(FILE_EVENT);
        String rawPath = r.nextString(r.u16(PATH_LEN), PATHS);
        String rawNewPath = r.nextString(r.u16(NEW_PATH_LEN));
        String newPath = PathNormalizer.normalize(rawNewPath);
        // A symlink's target is text the kernel resolves against the link's directory when followed.
        String path = op == FileOp.SYMLINK ? PathNormalizer.resolveSymlinkTarget(newPath, rawPath) : PathNormalizer.normalize(rawPath);
        // A path call's text before "." and ".." were applied lexically: what user space walks through
        // the task's root (a ".." right after a symlinked directory goes up from its target).
        boolean lexical = op != FileOp.OPEN && r.u8(PATH_KIND) == PATH_LEXICAL;
        String pathGiven = lexical && op != FileOp.SYMLINK && walkable(rawPath) && !rawPath.equals(path) ? rawPath : "";
        String newPathGiven = op != FileOp.OPEN && walkable(rawNewPath) && !rawNewPath.equals(newPath) ? rawNewPath : "";
        // A watched file opened by another name (hard link, bind mount): the kernel sent both; the
        // name used is kept only when it is not the watched path itself (a direct open).
        if (r.u8(PATH_ALIAS) != 0 && newPath.equals(path)) {
            newPath = "";
        }
        int facts = r.s32(FACTS);
        // A host file opened in a container through a bind mount, or changed by a call on its fd (fchmod,
        // fchown, ftruncate, futimens): the container's name stays the event's path (its rules, drift), the
        // host's is hostPath. The kernel marks no call of two paths of its own so (its new_path is the name used).
        String hostPath = "";
        if ((facts & FACT_HOST_PATH) != 0) {
            hostPath = path;
            path = newPath.isEmpty() ? path : newPath;
            newPath = "";
        }
        return new FileEvent(h.epochNanos(), h.process(), op, SYSCALLS.nameOrNumber(h.syscallNr()), path, newPath,
                r.s32(FLAGS), r.s32(MODE), r.s32(UID), r.s32(GID), h.result(), r.u8(PATH_KIND) == PATH_CANONICAL,
                pathGiven, newPathGiven, r.s32(TEXT_CHANGED) != 0, (facts & FACT_OTHER_PROC_MEM) != 0, hostPath,
                op == FileOp.UTIMES ? new FileTimes(r.s64(ATIME_SEC), r.s64(ATIME_NSEC), r.s64(MTIME_SEC), r.s64(MTIME_NSEC)) : null);
    }

    /** Absolute and not cut by the kernel ("//..."). */
    private static boolean walkable(String p) {
        return p.startsWith("/") && !p.startsWith("//");
    }

    /**
     * An open of a file of several names the kernel could not name yet (file_event.unnamed):
     * the file's device (as stat reports it: common.bpf.h stat_dev, per subvolume on btrfs), inode, and enum file_unnamed's reasons.
     */
    public record Unnamed(long dev, long ino, int reasons) {
        /** FILE_UNNAMED_NOT_SCANNED: the task's namespace's own files were not in the watch yet. */
        public boolean namespaceNotScanned() {
            return (reasons & 2) != 0;
        }

        /** FILE_UNNAMED_FILTERED: the kernel's filters would have kept it; nothing but its name makes it matter. */
        public boolean filtered() {
            return (reasons & 4) != 0;
        }
    }

    /** The unnamed part of a file record, or null when the kernel named it (or it is no open). */
    public static Unnamed unnamed(RecordReader r) {
        int reasons = r.s32(UNNAMED);
        return reasons == 0 ? null : new Unnamed(Integer.toUnsignedLong(r.s32(DEV)), r.s64(INO), reasons);
    }

    /** The root directory the task's path text means (its own: a chroot's), as the kernel read it at the call. */
    public static TaskRoot root(RecordReader r) {
        return new TaskRoot(r.s64(ROOT_MNT_ID), r.s64(ROOT_INO));
    }

    /** enum file_op of events.h. */
    static FileOp op(int code) {
        if (code < 0 || code >= OPS.length) {
            throw new IllegalArgumentException("unknown file op code " + code);
        }
        return OPS[code];
    }
}
