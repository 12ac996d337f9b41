package io.eunomia.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A file operation by path, with its result.
 *
 * @param op      what was done
 * @param syscall the system call name (openat, renameat2, ...)
 * @param path    absolute path acted upon: the opened/removed/changed file, a rename's source,
 *                a link's existing target (for a symlink: the target text as given, made
 *                absolute when it was relative to the link's directory); empty when unknown
 *                (a failed open_by_handle_at, an fd that was not open)
 * @param newPath the name created by rename, link and symlink; for an open of a watched file by
 *                another name (a hard link, a bind mount: README, Evasion routes), the name used,
 *                while path is the watched path; empty otherwise
 * @param flags   open flags (O_*), or the *at call's flags
 * @param mode    open/chmod mode bits; -1 when the call has none
 * @param uid     chown's uid (-1 = unchanged or n/a)
 * @param gid     chown's gid (-1 = unchanged or n/a)
 * @param result  the syscall's return: an fd or 0 on success, -errno on failure
 * @param pathResolved true when path is the file the kernel resolved (an open's fd: symlinks
 *                followed); false when it is the caller's text made absolute (dirfd or cwd +
 *                the string given), which may still run through symlinks
 * @param pathGiven    for a path call (unlink, rename, chmod ...) whose path is not the caller's
 *                text made absolute (resolved through a bind mount or a symlinked directory: README,
 *                Evasion routes; or "." and ".." applied), that text; empty when path is that text
 * @param newPathGiven the same for newPath
 * @param textChanged  the caller's buffer held another text when the call returned than when it
 *                     entered (a TOCTOU rewrite: README, Evasion routes); path and newPath are the
 *                     entry's text, the one the kernel copied
 * @param otherProcessMemory an open of /proc/PID/mem (or /proc/PID/task/TID/mem) of another process than the
 *                     caller's, as the kernel judged it (README, Evasion routes): reading or writing another
 *                     process's memory
 * @param hostPath     an open or a path call (unlink, rename, chmod ...) in a container of a host file through a
 *                     bind mount (`-v /etc:/host/etc`, `-v /:/host`): the file's path on the host (/etc/shadow),
 *                     while path is the container's name for it (/host/etc/shadow); empty otherwise
 * @param hostNewPath  the same for newPath (a rename or link into a bound host directory); empty otherwise
 * @param times        the times a UTIMES call set explicitly; null for the other ops (and left out of JSON)
 */
public record FileEvent(long epochNanos, ProcessInfo process, FileOp op, String syscall, String path,
                        String newPath, int flags, int mode, int uid, int gid, long result,
                        boolean pathResolved, String pathGiven, String newPathGiven, boolean textChanged,
                        boolean otherProcessMemory, String hostPath,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) String hostNewPath,
                        @JsonInclude(JsonInclude.Include.NON_NULL) FileTimes times) implements Event {
    public FileEvent {
        pathGiven = pathGiven == null ? "" : pathGiven;       // lines recorded before these fields existed
        newPathGiven = newPathGiven == null ? "" : newPathGiven;
        hostPath = hostPath == null ? "" : hostPath;
        hostNewPath = hostNewPath == null ? "" : hostNewPath;
    }

    /** An event with no host name for its new path (every open, most calls). */
    public FileEvent(long epochNanos, ProcessInfo process, FileOp op, String syscall, String path, String newPath,
                     int flags, int mode, int uid, int gid, long result, boolean pathResolved, String pathGiven,
                     String newPathGiven, boolean textChanged, boolean otherProcessMemory, String hostPath, FileTimes times) {
        this(epochNanos, process, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved, pathGiven,
                newPathGiven, textChanged, otherProcessMemory, hostPath, "", times);
    }

    /** An event that set no times. */
    public FileEvent(long epochNanos, ProcessInfo process, FileOp op, String syscall, String path, String newPath,
                     int flags, int mode, int uid, int gid, long result, boolean pathResolved, String pathGiven,
                     String newPathGiven, boolean textChanged, boolean otherProcessMemory, String hostPath) {
        this(epochNanos, process, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved, pathGiven,
                newPathGiven, textChanged, otherProcessMemory, hostPath, "", null);
    }

    /** An event of no other process's memory. */
    public FileEvent(long epochNanos, ProcessInfo process, FileOp op, String syscall, String path, String newPath,
                     int flags, int mode, int uid, int gid, long result, boolean pathResolved, String pathGiven,
                     String newPathGiven, boolean textChanged) {
        this(epochNanos, process, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved, pathGiven,
                newPathGiven, textChanged, false, "");
    }

    /** An event whose texts the caller did not change during the call. */
    public FileEvent(long epochNanos, ProcessInfo process, FileOp op, String syscall, String path, String newPath,
                     int flags, int mode, int uid, int gid, long result, boolean pathResolved, String pathGiven,
                     String newPathGiven) {
        this(epochNanos, process, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved, pathGiven,
                newPathGiven, false);
    }

    /** An event whose paths are as the kernel reported them. */
    public FileEvent(long epochNanos, ProcessInfo process, FileOp op, String syscall, String path, String newPath,
                     int flags, int mode, int uid, int gid, long result, boolean pathResolved) {
        this(epochNanos, process, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved, "", "");
    }

    @Override
    public FileEvent withProcess(ProcessInfo newProcess) {
        return new FileEvent(epochNanos, newProcess, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved,
                pathGiven, newPathGiven, textChanged, otherProcessMemory, hostPath, hostNewPath, times);
    }

    /** The paths resolved by user space; the texts they came from are kept where they differ. */
    public FileEvent withResolvedPaths(String resolvedPath, String resolvedNewPath) {
        String given = !pathGiven.isEmpty() || resolvedPath.equals(path) ? pathGiven : path;
        String newGiven = !newPathGiven.isEmpty() || resolvedNewPath.equals(newPath) ? newPathGiven : newPath;
        return new FileEvent(epochNanos, process, op, syscall, resolvedPath, resolvedNewPath, flags, mode, uid, gid, result,
                pathResolved, given, newGiven, textChanged, otherProcessMemory, hostPath, hostNewPath, times);
    }

    /** The host's names of path and newPath (a path call through a bind mount of a host directory), "" where none. */
    public FileEvent withHostPaths(String hostPathOf, String hostNewPathOf) {
        return new FileEvent(epochNanos, process, op, syscall, path, newPath, flags, mode, uid, gid, result, pathResolved,
                pathGiven, newPathGiven, textChanged, otherProcessMemory, hostPathOf, hostNewPathOf, times);
    }

    @Override
    public EventType type() {
        return EventType.FILE;
    }

    public boolean succeeded() {
        return result >= 0;
    }
}
