package io.eunomia.event;

/** File operations the file sensor reports. */
public enum FileOp {
    OPEN, UNLINK, RENAME, LINK, SYMLINK, TRUNCATE, CHMOD, CHOWN, MKDIR
}
