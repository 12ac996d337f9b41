package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.Native;

import static io.eunomia.libbpf.internal.Native.C_INT;
import static io.eunomia.libbpf.internal.Native.C_LONG;
import static io.eunomia.libbpf.internal.Native.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * O_PATH file descriptors for looking inside another task's root without leaving it: the root is
 * opened once ({@link #openDirectory} of /proc/PID/root), then names are looked up relative to
 * descriptors, never re-walked from the reader's own root. A symlink met on the way is resolved by
 * the kernel inside that root ({@link #openInRoot}: openat2 RESOLVE_IN_ROOT, "/" and ".." clamped at
 * it) or not followed at all ({@link #openChildDirectory}, {@link #readLinkAt}: one name, O_NOFOLLOW). Descriptors are O_PATH:
 * nothing is read, no file system open method runs. Calls return a descriptor or -errno.
 */
public final class PathDescriptors {
    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();
    private static final MethodHandle OPEN = Native.variadicDowncall(LIBC, "open",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT), 2);
    private static final MethodHandle OPENAT = Native.variadicDowncall(LIBC, "openat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT), 3);
    /** syscall(SYS_openat2, dirfd, path, &how, sizeof how): glibc 2.36 has no wrapper. */
    private static final MethodHandle SYSCALL4 = Native.variadicDowncall(LIBC, "syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_POINTER, C_POINTER, C_LONG), 1);
    private static final MethodHandle STATX = Native.downcall(LIBC, "statx",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER));
    private static final MethodHandle READLINKAT = Native.downcall(LIBC, "readlinkat",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle GETXATTR = Native.downcall(LIBC, "getxattr",
            FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle CLOSE = Native.plainDowncall(LIBC, "close", FunctionDescriptor.of(C_INT, C_INT));

    private static final long SYS_OPENAT2 = 437;  // the same number on every architecture (new syscall table)
    private static final int O_PATH = 010000000;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_IN_ROOT = 0x10;
    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** statx: the attributes as cached, no round trip to a FUSE or network server (dev and inode never change). */
    private static final int AT_STATX_DONT_SYNC = 0x4000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_INO = 0x100;
    private static final long STATX_MODE_OFFSET = 0x1c;  // struct statx: __u16 stx_mode
    private static final long STATX_INO_OFFSET = 0x20;   // __u64 stx_ino
    private static final long STATX_DEV_OFFSET = 0x88;   // __u32 stx_dev_major, stx_dev_minor
    private static final long STATX_MNT_ID_OFFSET = 0x90;  // __u64 stx_mnt_id
    /** Linux 5.8: stx_mnt_id is the mount's id (reused after the mount is gone). */
    private static final int STATX_MNT_ID = 0x1000;
    /** Linux 6.8: stx_mnt_id is the mount's 64-bit id, never reused (struct mount.mnt_id_unique). */
    private static final int STATX_MNT_ID_UNIQUE = 0x4000;
    private static final int STATX_SIZE = 256;
    /** Link text longer than this is not a path the walk could take anyway (PATH_MAX). */
    private static final int LINK_MAX = 4096;

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    private PathDescriptors() {}

    /** open(path, O_PATH|O_DIRECTORY): path followed as the reader sees it (/proc/PID/root: that task's root). */
    public static int openDirectory(String path) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(Native.callState(), arena.allocateFrom(path), O_PATH | O_DIRECTORY | O_CLOEXEC);
            return fd >= 0 ? fd : -Native.lastErrno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The entry name of directory dir when it is a directory (O_PATH|O_NOFOLLOW|O_DIRECTORY: no stat
     * needed to know it); -ENOTDIR when it is anything else, a symlink included (not followed).
     */
    public static int openChildDirectory(int dir, String name) {
        checkName(name);
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPENAT.invokeExact(Native.callState(), dir, arena.allocateFrom(name),
                    O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
            return fd >= 0 ? fd : -Native.lastErrno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The text of the symlink name in directory dir; null when it is no symlink (or unreadable, too long). */
    public static String readLinkAt(int dir, String name) {
        checkName(name);
        try (Arena arena = Arena.ofConfined()) {
            return linkText(arena, dir, arena.allocateFrom(name));
        }
    }

    /**
     * The text of the symlink at path (/proc/PID/exe, /proc/PID/ns/mnt ...); null when it is gone, no
     * symlink or unreadable. Errors are values here: a process that exited before its event was read
     * is common, and an exception per look costs more than the look (readlinkat(AT_FDCWD, path)).
     */
    public static String readLink(String path) {
        if (path.indexOf('\0') >= 0) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            return linkText(arena, AT_FDCWD, arena.allocateFrom(path));
        }
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not one name in a directory: '" + name + "'");
        }
    }

    /**
     * path looked up below root as if root were "/" (openat2 RESOLVE_IN_ROOT: absolute symlinks and
     * ".." stay in it), magic links (/proc/PID/fd/N) refused with -ELOOP, the last component not
     * followed when a symlink. -ENOSYS before Linux 5.6.
     */
    public static int openInRoot(int root, String path) {
        return openInRoot(root, path, O_NOFOLLOW);
    }

    /** As {@link #openInRoot(int, String)}, a symlink as the last component followed too (inside root). */
    public static int openInRootFollowing(int root, String path) {
        return openInRoot(root, path, 0);
    }

    private static int openInRoot(int root, String path, int nofollow) {
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a path with a NUL byte");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(24, 8);  // struct open_how { u64 flags, mode, resolve }
            how.set(ValueLayout.JAVA_LONG, 0, O_PATH | nofollow | O_CLOEXEC);
            how.set(ValueLayout.JAVA_LONG, 16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            long fd = (long) SYSCALL4.invokeExact(Native.callState(), SYS_OPENAT2, (long) root, arena.allocateFrom(path), how, 24L);
            return fd >= 0 ? (int) fd : -Native.lastErrno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The S_IFMT bits of what fd names (statx on the descriptor itself), or -errno. */
    public static int fileType(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) STATX.invokeExact(Native.callState(), fd, arena.allocateFrom(""), AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
                    STATX_TYPE, buf);
            return rc == 0 ? Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STATX_MODE_OFFSET)) & S_IFMT : -Native.lastErrno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The value of extended attribute name of the file at path (getxattr: a /proc/self/fd/N path reaches
     * the file that descriptor names, O_PATH ones too); null when it has none or it cannot be read. At
     * most XATTR_SIZE_MAX (64 KiB).
     */
    public static byte[] attribute(String path, String name) {
        if (name.indexOf('\0') >= 0 || path.indexOf('\0') >= 0) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(65536);
            long n = (long) GETXATTR.invokeExact(Native.callState(), arena.allocateFrom(path), arena.allocateFrom(name), buf, 65536L);
            return n < 0 ? null : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * What a name is, as the kernel knows it: its S_IFMT bits, the device it is on in the kernel's
     * own encoding (MKDEV: major << 20 | minor, as a BPF program reads s_dev) and its inode.
     */
    public record Stat(int type, long kernelDev, long ino) {}

    /**
     * The entry name of directory dir, a symlink not followed (fstatat(dir, name, AT_SYMLINK_NOFOLLOW)
     * as statx: one layout on every architecture, struct stat's differs); null when it is gone or unreadable.
     * Relative to the descriptor: no lookup of the path through /proc/self/fd per entry.
     */
    public static Stat statAt(int dir, String name) {
        checkName(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) STATX.invokeExact(Native.callState(), dir, arena.allocateFrom(name), AT_SYMLINK_NOFOLLOW,
                    STATX_TYPE | STATX_INO, buf);
            return rc == 0 ? stat(buf) : null;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Where a directory is: the id of the mount it was reached through and its inode. Unlike a
     * device number, a mount id names one tree on every file system: btrfs reports a per-subvolume
     * anonymous device in stx_dev (not the superblock's s_dev a BPF program reads), and every
     * subvolume's root is inode 256.
     *
     * @param mountId the never-reused 64-bit id where the kernel has it (6.8+: mount.mnt_id_unique),
     *                else the reusable one (mount.mnt_id), as a BPF program reading the mount picks too
     */
    public record Mounted(long mountId, long ino) {}

    /**
     * The mount and inode of what descriptor fd names (statx of the descriptor itself, the attributes
     * as cached: a stalled FUSE or network server is never asked); the unique mount id where the
     * kernel has it. null when unreadable or the kernel reports no mount id (before 5.8).
     */
    public static Mounted mountedOf(int fd) {
        return mounted(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE | STATX_MNT_ID);
    }

    /**
     * The mount and inode of the directory at path (a last symlink not followed) with the mount's
     * reusable id, the one /proc/PID/mountinfo's first field gives; null as for mountedOf.
     */
    public static Mounted mountinfoMountOf(String path) {
        if (path.indexOf('\0') >= 0) {
            return null;
        }
        return mounted(AT_FDCWD, path, 0, STATX_MNT_ID);
    }

    private static Mounted mounted(int dir, String name, int flags, int idMask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) STATX.invokeExact(Native.callState(), dir, arena.allocateFrom(name),
                    flags | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_INO | idMask, buf);
            int mask = buf.get(ValueLayout.JAVA_INT, 0);  // stx_mask: what the kernel filled
            if (rc != 0 || (mask & STATX_INO) == 0 || (mask & idMask) == 0) {
                return null;
            }
            return new Mounted(buf.get(ValueLayout.JAVA_LONG, STATX_MNT_ID_OFFSET), buf.get(ValueLayout.JAVA_LONG, STATX_INO_OFFSET));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A filled struct statx as a Stat (the device in the kernel's encoding). */
    private static Stat stat(MemorySegment buf) {
        long major = Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STATX_DEV_OFFSET));
        long minor = Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STATX_DEV_OFFSET + 4));
        return new Stat(Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STATX_MODE_OFFSET)) & S_IFMT,
                (major << 20) | minor, buf.get(ValueLayout.JAVA_LONG, STATX_INO_OFFSET));
    }

    private static String linkText(Arena arena, int dir, MemorySegment name) {
        try {
            MemorySegment buf = arena.allocate(LINK_MAX);
            long n = (long) READLINKAT.invokeExact(Native.callState(), dir, name, buf, (long) LINK_MAX);
            if (n < 0 || n >= LINK_MAX) {
                return null;
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
