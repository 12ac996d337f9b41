/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Records that cross from the kernel into Java. Every record starts with struct event_header;
 * the Java decoders (io.eunomia.bpf.internal.*Records) name each member they read, with its
 * offset and width (io.eunomia.bpf.internal.Layout), and the type codes (RecordType).
 * LayoutTest checks them against the BTF of the built objects, which carry every struct and enum
 * here through union scratch (common.bpf.h): a new record goes into that union and gets a Java
 * layout. Variable-length strings follow the fixed part, each as <len bytes incl. NUL>, in the
 * order the fixed part lists their lengths.
 */
#ifndef EUNOMIA_EVENTS_H
#define EUNOMIA_EVENTS_H

#define EVT_COMM_LEN 16
#define EVT_TTY_LEN 32

enum event_type {
	EVT_EXEC = 1,
	EVT_EXIT = 2,
	EVT_FORK = 3,
	EVT_NAMESPACE = 4, /* a mount namespace's identity (struct namespace_event) */
	EVT_FILE = 10,
	EVT_NET = 20,
	EVT_CAP = 30,
	EVT_SYSCALL = 40,  /* privilege and kernel-surface calls */
	EVT_VIOLATION = 50, /* a step outside a container's learned profile (enforce.bpf.c) */
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
	__u64 mntns_id;    /* the mount namespace's id, never reused while the host runs (0 if unknown) */
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
	char pcomm[EVT_COMM_LEN];  /* comm of the process ppid names, read at event time */
};

_Static_assert(sizeof(struct event_header) == 112, "Header.EVENT_HEADER in Java must follow");

/* sched_process_exec. Strings: filename, argv (NUL-separated), tty name, script, cwd, root. */
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
	__u16 script_len;    /* a file run through the interpreter it names (#!, binfmt_misc); 0 otherwise */
	__u16 cwd_len;       /* the cwd inside the task's root (successful execs; 0 for failures): proc.cwd, a script argument's base */
	__u8 no_new_privs;   /* the task's no_new_privs at the exec (what seccomp filters it installs may assume) */
	__u8 caps_from_file; /* the exec raised the permitted set from the file's capabilities (not setuid/setgid) */
	/*
	 * The credentials the exec gave (successful execs; 0 for failures): what the process table
	 * would otherwise read from /proc/PID/status for every exec (~25 us of the reader's CPU here).
	 */
	__u64 cap_effective;
	__u64 cap_permitted;
	__u32 seccomp_mode;  /* task->seccomp.mode: 0 off, 1 strict, 2 filter */
	__u32 vpid;          /* the pid in the task's own pid namespace (/proc/PID/status NSpid's last) */
	/*
	 * A task outside the host's mount namespace: its root directory, for looking at a container's
	 * files when its process is gone before user space reads /proc/PID/root (a container whose only
	 * process lives a millisecond). root_len: its path from the root of its file system (mounts
	 * not followed), the string after the tty (before the script and the cwd, so that it always
	 * fits: process.bpf.c); 0 for the host's namespace or a root not reached.
	 */
	__u16 root_len;
	__u8 cwd_dropped;    /* the strings before it filled the scratch: the cwd is unknown, not absent */
	__u8 pad2;
	__u32 root_dev;      /* the root's superblock s_dev (kernel encoding: major << 20 | minor) */
	__u64 root_ino;
};

_Static_assert(sizeof(struct exec_event) == 176, "ProcessRecords.EXEC_EVENT in Java must follow");

/*
 * A mount namespace's identity: what names its container while its process still exists. Sent by
 * whichever sensor sees the namespace first (before that event, in the same ring buffer), and
 * again when the cgroups of its tasks change (a runtime moves its init into the container's
 * cgroup after creating the namespace). Never for the host's namespace. h is the task whose event
 * revealed it; h.cgroup_id its v2 cgroup. Cgroup paths are stored leaf first, one NUL-terminated
 * component per slot; depth counts the components (more than NSID_DEPTH: the top ones are cut).
 */
#define NSID_ANCESTORS 4
#define NSID_DEPTH 6
#define NSID_NAME_LEN 128

struct namespace_event {
	struct event_header h;
	__u64 cgroup_v1_id;        /* kernfs id of its cgroup on the v1 hierarchy of settings.cgroup_v1_subsys; 0 none */
	__u64 ancestor_cgroup[NSID_ANCESTORS];  /* their cgroup ids: on that v1 hierarchy if any, else v2 */
	__u32 ancestor_pid[NSID_ANCESTORS];     /* parent, grandparent, ...; 0 past the top */
	char ancestor_comm[NSID_ANCESTORS][EVT_COMM_LEN];
	__u8 cgroup_v2_depth;
	__u8 cgroup_v1_depth;
	__u8 pad[6];
	char cgroup_v2[NSID_DEPTH][NSID_NAME_LEN];
	char cgroup_v1[NSID_DEPTH][NSID_NAME_LEN];
};

_Static_assert(sizeof(struct namespace_event) == 1776, "NamespaceRecords in Java must follow");

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

/* What a net_event reports. */
enum net_op { NET_CONNECT = 1, NET_ACCEPT = 2, NET_BIND = 3, NET_LISTEN = 4 };

#define NET_UNIX_PATH_MAX 108  /* sun_path */

/*
 * connect, accept, accept4, bind, listen (net.bpf.c); h.ret is the result. Addresses are in
 * network byte order (IPv4 in the first 4 bytes), ports in host order. A unix socket's local
 * and remote addresses follow as raw sun_path bytes (local_len, then remote_len; no NUL added):
 * a leading NUL marks an abstract name.
 */
struct net_event {
	struct event_header h;
	__s32 fd;            /* the socket: the argument, or accept's new fd */
	__s32 backlog;       /* listen's backlog; 0 otherwise */
	__u16 op;            /* enum net_op */
	__u16 family;        /* AF_* */
	__u16 sock_type;     /* SOCK_STREAM, SOCK_DGRAM, ...; 0 when not known */
	__u16 protocol;      /* IPPROTO_* of the sock; 0 when not known */
	__u16 local_port;
	__u16 remote_port;
	__u16 local_len;     /* unix only */
	__u16 remote_len;
	__u8 local_addr[16];
	__u8 remote_addr[16];
};

/*
 * tp_btf/cap_capable, deduplicated in the kernel: the first check of a capability with a given
 * outcome by a process (one exec image) is sent at once; identical checks within the report
 * interval are only counted and the count rides on the next record for that key.
 * h.syscall_nr is the system call the task was in (-1 outside one).
 */
struct cap_event {
	struct event_header h;
	__u32 cap;
	__s32 check_ret;     /* 0 granted, else -errno (-EPERM) */
	__u32 userns;        /* inode number of the user namespace the check was made against */
	__u32 userns_level;  /* its depth: 0 = the host's initial user namespace */
	__u64 suppressed;    /* identical checks folded since the previous record of this key */
	__u8 compat;         /* h.syscall_nr is a 32-bit (ia32) call's, in that ABI's numbering */
	__u8 pad[7];
};

/* Kernel-side tuning of the cap sensor (map "cap_tuning", key 0); user space may change it live. */
struct cap_tuning {
	__u64 report_interval_ns;  /* 0 = the default (1 s); 1 = report every check */
};

/*
 * Per mount namespace, what capability checks were seen (map "cap_usage", key = the namespace's
 * u64 id, or its number on kernels without ids: numbers are reused at once on a busy host).
 */
struct cap_usage {
	__u64 granted;  /* bit n = CAP n was checked and granted */
	__u64 denied;   /* bit n = CAP n was checked and denied */
	__u64 mntns;    /* the namespace's number (inode) */
	__u64 first_ns; /* its first check (ktime): namespace ids are not in creation order */
};

/*
 * Privilege and kernel-surface system calls (priv.bpf.c), one record per call with its result
 * in h.ret and its number in h.syscall_nr. args[] holds the arguments the decoder names for
 * that syscall, in its order (int arguments sign-extended); strings follow the fixed part.
 */
#define SYSCALL_EVT_ARGS 6
#define SYSCALL_EVT_STRS 4

struct syscall_event {
	struct event_header h;
	__u64 args[SYSCALL_EVT_ARGS];
	__u16 str_len[SYSCALL_EVT_STRS];
	__u16 nargs;
	__u16 text_changed;  /* 1: a path read at entry and at exit differed (priv_calls.h PATH_TEXT; entry_texts.bpf.h) */
	__u32 pad;
};

/* What a file event did (io.eunomia.event.FileOp by code). */
enum file_op {
	FOP_OPEN = 0, FOP_UNLINK = 1, FOP_RENAME = 2, FOP_LINK = 3, FOP_SYMLINK = 4,
	FOP_TRUNCATE = 5, FOP_CHMOD = 6, FOP_CHOWN = 7, FOP_MKDIR = 8, FOP_UTIMES = 9,
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
	__u8 path_alias;     /* an open of a watched file by another name: path is the watched path, new_path the name used */
	__u32 unnamed;       /* FILE_UNNAMED_* of an open of a multi-link file watched_inodes may not name yet; 0 otherwise */
	__u32 dev;           /* with unnamed: the opened file's device as stat reports it (stat_dev) */
	__u64 ino;           /* with unnamed: its inode */
	__u32 text_changed;  /* FILE_TEXT_CHANGED_* of a path call: the caller's text at exit was not the entry's */
	/*
	 * The task's own root directory at the call (task->fs->root: a chroot's, not its namespace's):
	 * the tree its path text means, for user space to walk it in that root only. Its mount's id
	 * (mount.mnt_id_unique on 6.8+, else mnt_id: what statx STATX_MNT_ID_UNIQUE / STATX_MNT_ID
	 * reports) and inode; not s_dev, which statx does not report on btrfs (a subvolume's anonymous
	 * device), where every subvolume root is inode 256. Both 0 when it could not be read.
	 */
	__u32 facts;         /* FILE_FACT_* */
	__u64 root_ino;
	__u64 root_mnt_id;
	/*
	 * FOP_UTIMES: the times the caller set, as a struct timespec pair (a timeval's or utimbuf's made
	 * one); a nsec of UTIME_OMIT leaves that time as it was. Only explicit times are reported (not
	 * NULL times, not UTIME_NOW or UTIME_OMIT for both). 0 for the other ops.
	 */
	__s64 atime_sec;
	__s64 atime_nsec;
	__s64 mtime_sec;
	__s64 mtime_nsec;
};

/* What the kernel found out about the file acted upon (file_event.facts). */
enum file_fact {
	FILE_FACT_OTHER_PROC_MEM = 1,  /* an open of /proc/PID/mem (or a task's) of another process than the caller's */
	FILE_FACT_HOST_PATH = 2,       /* a container's open or fd call (fchmod ...) of a host file through a bind mount: path is the host's, new_path the name used */
};

/*
 * A path call's text read at entry (what the kernel copies) and again at exit differed: the record
 * carries the entry's text (file_event.text_changed).
 */
enum file_text_changed {
	FILE_TEXT_CHANGED_PATH = 1,
	FILE_TEXT_CHANGED_NEW_PATH = 2,
};

/*
 * Why an open of a regular file of several names that watched_inodes does not hold is reported
 * with its inode, for user space to name once it knows (file_event.unnamed).
 */
enum file_unnamed {
	FILE_UNNAMED_LINK_PENDING = 1,  /* a hard link was reported that user space has not taken in yet */
	FILE_UNNAMED_NOT_SCANNED = 2,   /* the task's mount namespace's own files are not in watched_inodes yet */
	FILE_UNNAMED_FILTERED = 4,      /* the filters would have kept it in the kernel: drop it unless named */
};

/* What file_event.path_kind says of its path. */
enum file_path_kind {
	FILE_PATH_CANONICAL = 1,  /* resolved from an open file: symlinks followed */
	FILE_PATH_LEXICAL = 2,    /* dirfd/cwd + user string: may hold ".", "..", symlinks */
	FILE_PATH_RAW = 3,        /* as the caller gave it (a symlink's target) */
};

/*
 * Enforcement of learned profiles (enforce.bpf.c). One policy per watched mount namespace, keyed
 * by its number and checked against its id (map "enforce_policy"); only a violation leaves the
 * kernel, as a violation_event.
 */
#define ENF_SYSCALL_BITS 1024
#define ENF_SYSCALL_WORDS (ENF_SYSCALL_BITS / 64)

enum violation_kind { VIOL_SYSCALL = 0, VIOL_CAP = 1, VIOL_EXEC = 2, VIOL_KINDS = 3 };

/* enforce_policy.kill: bit (1 << kind) = SIGKILL the process at a violation of that kind. */
struct enforce_policy {
	__u64 ns_id;                          /* the namespace's id: a reused number is not this namespace */
	__u32 policy_id;                      /* user space's id of the installed profile (exec set key) */
	__u32 kill;                           /* 1 << enum violation_kind: kinds that kill (enforce mode) */
	__u64 native[ENF_SYSCALL_WORDS];      /* allowed native syscalls, bit n = syscall n */
	__u64 compat[ENF_SYSCALL_WORDS];      /* allowed 32-bit (ia32) syscalls, in their own numbering */
	__u64 caps_granted;                   /* bit n: a granted check of capability n is expected */
	__u64 caps_denied;                    /* bit n: a denied check of capability n is expected */
};

/* Allowed executables: a keyed hash of the resolved path per policy (map "enforce_execs"). */
struct enforce_exec_key {
	__u32 policy_id;
	__u32 path_len;                       /* bytes, without the NUL */
	__u64 hash;                           /* FNV-1a 64 of the path, offset basis xor enforce_control.hash_seed */
};

/* Per namespace and kind: the rate limit of records and what it held back. */
struct enforce_rate {
	__u64 window_start_ns;
	__u64 sent;                           /* records in the current window */
	__u64 pending;                        /* suppressed since the last record: rides on the next one */
	__u64 suppressed;                     /* suppressed in all */
	__u64 total;                          /* violations in all, reported or not */
};

/* What the kernel keeps per watched namespace (map "enforce_state", key = mntns). */
struct enforce_state {
	__u64 ns_id;
	__u64 reported_native[ENF_SYSCALL_WORDS];  /* numbers reported once: a new one always gets a record */
	__u64 reported_compat[ENF_SYSCALL_WORDS];
	__u64 reported_caps;
	struct enforce_rate rate[VIOL_KINDS];
};

/* Live settings (map "enforce_control", key 0). */
struct enforce_control {
	__u32 generation;                     /* bumped at every policy change: task caches decide again */
	__u32 record_new;                     /* record what a not yet classified namespace's workload does */
	__u64 hash_seed;                      /* secret per run: paths cannot be crafted to collide */
	__u64 rate_window_ns;                 /* rate-limit window (0 = 1 s) */
	__u32 rate_burst;                     /* records per namespace, kind and window (0 = 10) */
	__u32 filter_epoch;                   /* 0: no filter (every task decides); else see enforce_new_slots */
};

/*
 * What the workload of a namespace nobody classified yet did (map "enforce_pending", key = the
 * namespace's id): user space judges it against the profile when it classifies the namespace.
 * The bitmaps are complete; the log keeps when and by whom each first use happened, as far as it
 * has room.
 */
#define ENF_PENDING_LOG 96

enum pending_kind { PENDING_SYSCALL = 0, PENDING_COMPAT = 1, PENDING_CAP_GRANTED = 2, PENDING_CAP_DENIED = 3 };

struct enforce_pending_use {
	__u64 ts_ns;                          /* CLOCK_MONOTONIC; 0 = still being written */
	__u32 pid;
	__u16 nr;                             /* syscall number in its ABI, or capability */
	__u8 kind;                            /* enum pending_kind */
	__u8 pad;
};

struct enforce_pending {
	__u64 ns_id;
	__u64 log_len;                        /* uses logged, may exceed ENF_PENDING_LOG: the rest were not */
	__u64 first_ns;                       /* first recorded use (CLOCK_MONOTONIC) */
	__u32 mntns;
	__u32 pad;
	__u64 native[ENF_SYSCALL_WORDS];      /* syscalls made, bit n = syscall n */
	__u64 compat[ENF_SYSCALL_WORDS];      /* 32-bit syscalls made */
	__u64 caps_granted;                   /* capability checks that passed */
	__u64 caps_denied;                    /* capability checks that were refused */
	__u64 out_of_range;                   /* syscalls with a number beyond the bitmaps (x32, bogus) */
	struct enforce_pending_use log[ENF_PENDING_LOG];
};

/*
 * A violation. h.syscall_nr: the offending call (syscall kind), the call the task was in (cap
 * kind, -1 outside one), -1 (exec kind). The exec kind's path follows the fixed part.
 */
struct violation_event {
	struct event_header h;
	__u64 suppressed;                     /* violations of this kind in this namespace held back since the previous record */
	__u64 total;                          /* violations of this kind in this namespace so far, this one included */
	__u32 policy_id;
	__u32 cap;                            /* cap kind: the capability */
	__s32 check_ret;                      /* cap kind: 0 granted, else -errno */
	__u16 path_len;                       /* exec kind: bytes of the path that follows, NUL included */
	__u8 kind;                            /* enum violation_kind */
	__u8 compat;                          /* syscall kind: a 32-bit call */
	__u8 killed;                          /* SIGKILL was sent to the process */
	__u8 pad[7];
};

_Static_assert(sizeof(struct violation_event) == 152, "ViolationRecords in Java must follow");

/*
 * An exec in a namespace nobody classified yet (enforce_notes ring): the header, then the path
 * (NUL included). Nothing waits for it: user space classifies the namespace and judges the exec.
 */
struct enforce_exec_note {
	struct event_header h;
	__u64 path_hash;
	__u32 path_len;      /* bytes of the path, without the NUL */
	__u32 pad;
};

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
	__u32 host_mntns;          /* the host's mount namespace: no namespace_event for it; 0 = unknown */
	__u32 cgroup_v1_subsys;    /* cgroup_subsys_id of a controller on a v1 hierarchy; (u32)-1 = none */
	__u32 host_root_dev;       /* the host's root directory: its device as stat reports it (stat_dev); 0 = unknown */
	__u64 host_root_ino;       /* and its inode */
};

#endif /* EUNOMIA_EVENTS_H */
