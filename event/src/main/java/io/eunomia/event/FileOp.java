package io.eunomia.event;

/** File operations the file sensor reports. */
public enum FileOp {
    OPEN, UNLINK, RENAME, LINK, SYMLINK, TRUNCATE, CHMOD, CHOWN, MKDIR,
    /** Times set explicitly (utimensat, futimens, utimes, futimesat, utime): FileEvent.times. */
    UTIMES
}
