/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Records that cross from the kernel into Java. Every record starts with struct event_header;
 * the Java decoder (io.eunomia.bpf.internal.RecordDecoder) mirrors these layouts field by field.
 * Change both together. Variable-length strings follow the fixed part, each as
 * <len bytes incl. NUL>, in the order the fixed part lists their lengths.
 */
#ifndef EUNOMIA_EVENTS_H
#define EUNOMIA_EVENTS_H

#define EVT_COMM_LEN 16
#define EVT_TTY_LEN 32

enum event_type {
	EVT_EXEC = 1,
	EVT_EXIT = 2,
	EVT_FORK = 3,
	EVT_FILE = 10,
	EVT_NET = 20,
	EVT_CAP = 30,
	EVT_SYSCALL = 40,  /* privilege and kernel-surface calls */
	EVT_BENCH = 99,    /* ring-buffer throughput benchmark only */
};

/* What a standard stream of a new process is. */
enum stream_kind {
	STREAM_NONE = 0, STREAM_FILE = 1, STREAM_PIPE = 2, STREAM_SOCKET = 3, STREAM_TTY = 4,
	STREAM_CHAR = 5, STREAM_OTHER = 6,
};

struct event_header {
	__u64 ts_ns;       /* CLOCK_MONOTONIC */
	__u64 cgroup_id;   /* cgroup v2 id */
	__s64 ret;         /* syscall result: value or -errno; 0 for non-syscall events */
	__u32 mntns;
	__u32 pidns;
	__u32 pid;         /* thread group id */
	__u32 tid;
	__u32 ppid;        /* real parent's thread group id */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u16 type;        /* enum event_type */
	__u16 size;        /* whole record, header included */
	__s32 syscall_nr;  /* -1 for non-syscall events */
	__u32 reserved;
	char comm[EVT_COMM_LEN];
};

/* sched_process_exec. Strings: filename, argv (NUL-separated), tty name. */
struct exec_event {
	struct event_header h;
	__u32 old_pid;
	__u32 argc;          /* arguments seen (may exceed those copied) */
	__u16 filename_len;
	__u16 argv_len;
	__u16 tty_len;
	__u8 stdin_kind;     /* enum stream_kind */
	__u8 stdout_kind;
	__u8 stderr_kind;
	__u8 argv_truncated;
	__u16 pad;
};

/* sched_process_exit. */
struct exit_event {
	struct event_header h;
	__s32 exit_code;     /* status as wait(2) reports it: code << 8 | signal */
	__u32 pad;
};

/* sched_process_fork: the header is the parent; child ids here. */
struct fork_event {
	struct event_header h;
	__u32 child_pid;
	__u32 child_tid;
};

/* What a file event did (io.eunomia.event.FileOp by code). */
enum file_op {
	FOP_OPEN = 0, FOP_UNLINK = 1, FOP_RENAME = 2, FOP_LINK = 3, FOP_SYMLINK = 4,
	FOP_TRUNCATE = 5, FOP_CHMOD = 6, FOP_CHOWN = 7, FOP_MKDIR = 8,
};

/*
 * A file syscall, built at its exit so ret (in the header) is the result. Strings: path, then
 * new_path. Paths are absolute (resolved from the fd, or dirfd/cwd + the user string) except a
 * symlink's target (FILE_PATH_RAW: the text as given). "." and ".." are left for user space.
 */
struct file_event {
	struct event_header h;
	__u32 flags;         /* O_* for opens, AT_* / RENAME_* for the *at calls, 0 otherwise */
	__u32 mode;          /* (u32)-1 when the call has no mode */
	__u32 uid;           /* chown: (u32)-1 = unchanged or n/a */
	__u32 gid;
	__u16 op;            /* enum file_op */
	__u16 path_len;
	__u16 new_path_len;
	__u8 path_kind;      /* FILE_PATH_* of path */
	__u8 pad;
};

#define FILE_PATH_CANONICAL 1  /* resolved from an open file: symlinks followed */
#define FILE_PATH_LEXICAL 2    /* dirfd/cwd + user string: may hold ".", "..", symlinks */
#define FILE_PATH_RAW 3        /* as the caller gave it (a symlink's target) */

/*
 * Settings from user space, one per sensor object (map "settings", key 0). Written after load
 * and before attach; a zeroed entry (enabled == 0) makes the sensor report nothing.
 */
struct sensor_settings {
	__u32 enabled;
	__u32 self_tgid;           /* never report our own activity */
	__u32 filter_tgid;         /* 0 = every process */
	__u32 filter_mntns;        /* 0 = every mount namespace */
	__u64 wakeup_interval_ns;  /* at most one forced reader wake-up per CPU per interval */
	__u32 flags;               /* sensor-specific */
	__u32 reserved;
};

#endif /* EUNOMIA_EVENTS_H */
