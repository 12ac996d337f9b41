// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Privilege and kernel-surface syscall sensor: identity changes, ptrace, kernel modules,
 * mounts, namespaces, bpf(), memfd_create, setuid/setgid mode bits, signals and unusual
 * sockets. One record per call, built at sys_exit so it carries the result.
 *
 * Calls that are frequent and mostly harmless are filtered at sys_enter, before any map work:
 *  - kill with signal 0 (a liveness probe); tkill/tgkill are not watched (runtimes signal their
 *    own threads all the time, e.g. Go's preemption);
 *  - socket except packet, raw, non-route netlink, AF_ALG and AF_KEY sockets;
 *  - chmod family unless the mode sets S_ISUID or S_ISGID;
 *  - ptrace requests that only read or resume (a traced process makes several per syscall):
 *    only TRACEME, ATTACH, SEIZE and the requests that write memory or registers;
 *  - bpf() map data operations (lookups/updates by monitoring agents), not the commands that
 *    create, load, attach or reach objects.
 */
#include "path.bpf.h"
#include "syscall.bpf.h"

#define S_ISUID_BITS 06000
#define AF_NETLINK_NR 16
#define AF_PACKET_NR 17
#define AF_KEY_NR 15
#define AF_ALG_NR 38
#define SOCK_RAW_NR 3
#define SOCK_PACKET_NR 10
#define SOCK_TYPE_MASK 0xf
#define ENOSYS_NR 38

/* int arguments arrive in 64-bit registers; keep their sign (uid -1 means "unchanged"). */
#define I(x) ((__u64)(__s64)(__s32)(x))

static __always_inline struct syscall_event *begin(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a,
						   struct task_struct **task)
{
	char *rec = get_scratch();
	if (!rec)
		return NULL;
	struct syscall_event *e = (struct syscall_event *)rec;
	*task = (struct task_struct *)bpf_get_current_task();
	fill_header(&e->h, *task, EVT_SYSCALL, a->nr);
	e->h.ret = BPF_CORE_READ(ctx, ret);
	#pragma unroll
	for (int i = 0; i < SYSCALL_EVT_ARGS; i++)
		e->args[i] = 0;
	#pragma unroll
	for (int i = 0; i < SYSCALL_EVT_STRS; i++)
		e->str_len[i] = 0;
	e->nargs = 0;
	return e;
}

static __always_inline void finish(struct syscall_event *e, __u32 off)
{
	emit_scratch((char *)e, off);
}

/* ---- numeric-only calls: the first n arguments as they are ---- */

static __always_inline int ints(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int n, bool wide0)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	#pragma unroll
	for (int i = 0; i < 3; i++)
		if (i < n)
			e->args[i] = (i == 0 && wide0) ? a->args[0] : I(a->args[i]);
	e->nargs = n;
	finish(e, sizeof(*e));
	return 0;
}

static __always_inline int one_int(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ints(ctx, a, 1, false); }
static __always_inline int two_ints(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ints(ctx, a, 2, false); }
static __always_inline int three_ints(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ints(ctx, a, 3, false); }
/* unshare(unsigned long flags) */
static __always_inline int one_long(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ints(ctx, a, 1, true); }
/* ptrace(long request, pid_t pid, ...) */
static __always_inline int long_int(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ints(ctx, a, 2, true); }

/*
 * set[re[s]]uid/gid: the header's ids are read at exit, after a call that succeeded has changed
 * them, so the call alone cannot tell whether its caller was root before. Enter keeps the caller's
 * real, effective and saved id in the argument slots these calls leave unused (they take at most
 * 3) and exit reports them after the call's own ids: prev_uid, prev_euid, prev_suid (prev_gid,
 * prev_egid, prev_sgid). The saved id matters: a setuid-root program that dropped its euid for a
 * while (sudo does) becomes root again through it, without any capability.
 */
#define PREV_REAL 3
#define PREV_EFF 4
#define PREV_SAVED 5

static __always_inline void save_uids(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	a->args[PREV_REAL] = I(bpf_get_current_uid_gid());
	a->args[PREV_EFF] = I(BPF_CORE_READ(task, cred, euid.val));
	a->args[PREV_SAVED] = I(BPF_CORE_READ(task, cred, suid.val));
}

static __always_inline void save_gids(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	a->args[PREV_REAL] = I(bpf_get_current_uid_gid() >> 32);
	a->args[PREV_EFF] = I(BPF_CORE_READ(task, cred, egid.val));
	a->args[PREV_SAVED] = I(BPF_CORE_READ(task, cred, sgid.val));
}

static __always_inline int ids_then_prev(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int n)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	#pragma unroll
	for (int i = 0; i < 3; i++)
		if (i < n)
			e->args[i] = I(a->args[i]);
	e->args[n] = a->args[PREV_REAL];
	e->args[n + 1] = a->args[PREV_EFF];
	e->args[n + 2] = a->args[PREV_SAVED];
	e->nargs = n + 3;
	finish(e, sizeof(*e));
	return 0;
}

static __always_inline int one_id(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ids_then_prev(ctx, a, 1); }
static __always_inline int two_ids(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ids_then_prev(ctx, a, 2); }
static __always_inline int three_ids(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return ids_then_prev(ctx, a, 3); }

SYSCALL_PAIR_ENTER(setuid, save_uids, one_id)
SYSCALL_PAIR_ENTER(setgid, save_gids, one_id)
SYSCALL_PAIR(setfsuid, one_int)
SYSCALL_PAIR(setfsgid, one_int)
SYSCALL_PAIR_ENTER(setreuid, save_uids, two_ids)
SYSCALL_PAIR_ENTER(setregid, save_gids, two_ids)
SYSCALL_PAIR_ENTER(setresuid, save_uids, three_ids)
SYSCALL_PAIR_ENTER(setresgid, save_gids, three_ids)
SYSCALL_PAIR(unshare, one_long)

/* ptrace: requests that start tracing or change the tracee. */
static __always_inline bool ptrace_keep(struct trace_event_raw_sys_enter *ctx)
{
	long req = BPF_CORE_READ(ctx, args[0]);
	switch (req) {
	case 0:       /* PTRACE_TRACEME */
	case 4:       /* PTRACE_POKETEXT */
	case 5:       /* PTRACE_POKEDATA */
	case 6:       /* PTRACE_POKEUSER */
	case 13:      /* PTRACE_SETREGS */
	case 15:      /* PTRACE_SETFPREGS */
	case 16:      /* PTRACE_ATTACH */
	case 0x4205:  /* PTRACE_SETREGSET */
	case 0x4206:  /* PTRACE_SEIZE */
		return true;
	default:
		return false;
	}
}
SYSCALL_PAIR_IF(ptrace, ptrace_keep, long_int)

static __always_inline bool kill_keep(struct trace_event_raw_sys_enter *ctx)
{
	return (int)BPF_CORE_READ(ctx, args[1]) != 0;
}
SYSCALL_PAIR_IF(kill, kill_keep, two_ints)

static __always_inline bool socket_keep(struct trace_event_raw_sys_enter *ctx)
{
	int family = BPF_CORE_READ(ctx, args[0]);
	int type = (int)BPF_CORE_READ(ctx, args[1]) & SOCK_TYPE_MASK;
	int protocol = BPF_CORE_READ(ctx, args[2]);
	if (family == AF_PACKET_NR || family == AF_ALG_NR || family == AF_KEY_NR)
		return true;
	if (type == SOCK_RAW_NR || type == SOCK_PACKET_NR)
		return true;
	/* NETLINK_ROUTE (0) is how every program lists interfaces and addresses. */
	return family == AF_NETLINK_NR && protocol != 0;
}
SYSCALL_PAIR_IF(socket, socket_keep, three_ints)

static __always_inline bool bpf_keep(struct trace_event_raw_sys_enter *ctx)
{
	int cmd = BPF_CORE_READ(ctx, args[0]);
	switch (cmd) {
	case 1: case 2: case 3: case 4:  /* MAP_LOOKUP/UPDATE/DELETE_ELEM, MAP_GET_NEXT_KEY */
	case 21:                         /* MAP_LOOKUP_AND_DELETE_ELEM */
	case 24: case 25: case 26: case 27:  /* map batch operations */
		return false;
	default:
		return true;
	}
}
SYSCALL_PAIR_IF(bpf, bpf_keep, one_int)

/* ---- calls with strings ---- */

/* init_module(void *image, unsigned long len, const char *params) */
static __always_inline int init_module_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = a->args[1];
	e->nargs = 1;
	e->str_len[0] = put_user_str((char *)e, &off, (const char *)a->args[2], 256);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(init_module, init_module_h)

/* finit_module(int fd, const char *params, int flags): strings path, params */
static __always_inline int finit_module_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = I(a->args[0]);
	e->args[1] = I(a->args[2]);
	e->nargs = 2;
	e->str_len[0] = put_fd_path(task, (char *)e, &off, (int)a->args[0]);
	e->str_len[1] = put_user_str((char *)e, &off, (const char *)a->args[1], 256);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(finit_module, finit_module_h)

/* delete_module(const char *name, unsigned int flags) */
static __always_inline int delete_module_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = I(a->args[1]);
	e->nargs = 1;
	e->str_len[0] = put_user_str((char *)e, &off, (const char *)a->args[0], 64);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(delete_module, delete_module_h)

/* mount(source, target, fstype, flags, data): source stays as given (often not a path) */
static __always_inline int mount_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = a->args[3];
	e->nargs = 1;
	e->str_len[0] = put_user_str((char *)e, &off, (const char *)a->args[0], 1024);
	e->str_len[1] = put_user_path(task, (char *)e, &off, AT_FDCWD_VALUE, (const char *)a->args[1]);
	e->str_len[2] = put_user_str((char *)e, &off, (const char *)a->args[2], 64);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(mount, mount_h)

/* umount2(target, flags): its tracepoint is named after the kernel's sys_umount */
static __always_inline int umount_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = I(a->args[1]);
	e->nargs = 1;
	e->str_len[0] = put_user_path(task, (char *)e, &off, AT_FDCWD_VALUE, (const char *)a->args[0]);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(umount, umount_h)

/* setns(fd, nstype): the namespace file (/proc/PID/ns/mnt, a bind-mounted netns ...) */
static __always_inline int setns_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = I(a->args[0]);
	e->args[1] = I(a->args[1]);
	e->nargs = 2;
	e->str_len[0] = put_fd_path(task, (char *)e, &off, (int)a->args[0]);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(setns, setns_h)

/* memfd_create(name, flags): fileless execution starts here */
static __always_inline int memfd_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = I(a->args[1]);
	e->nargs = 1;
	e->str_len[0] = put_user_str((char *)e, &off, (const char *)a->args[0], 256);
	finish(e, off);
	return 0;
}
SYSCALL_PAIR(memfd_create, memfd_h)

/* chmod family: only modes that make a file setuid or setgid. */
#define MODE_KEEP(fn, idx)                                                     \
	static __always_inline bool fn(struct trace_event_raw_sys_enter *ctx)   \
	{                                                                      \
		return BPF_CORE_READ(ctx, args[idx]) & S_ISUID_BITS;           \
	}
MODE_KEEP(mode_arg1, 1)
MODE_KEEP(mode_arg2, 2)

/* args: mode (and flags for fchmodat2); string: the file's absolute path */
static __always_inline int chmod_common(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int dirfd,
					const char *upath, int fd, __u64 mode, int nflags, __u64 flags)
{
	struct task_struct *task;
	struct syscall_event *e = begin(ctx, a, &task);
	if (!e)
		return 0;
	__u32 off = sizeof(*e);
	e->args[0] = mode & 07777;
	e->args[1] = flags;
	e->nargs = 1 + nflags;
	if (upath)
		e->str_len[0] = put_user_path(task, (char *)e, &off, dirfd, upath);
	else
		e->str_len[0] = put_fd_path(task, (char *)e, &off, fd);
	finish(e, off);
	return 0;
}

static __always_inline int chmod_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return chmod_common(ctx, a, AT_FDCWD_VALUE, (const char *)a->args[0], -1, a->args[1], 0, 0);
}
static __always_inline int fchmod_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return chmod_common(ctx, a, 0, NULL, (int)a->args[0], a->args[1], 0, 0);
}
static __always_inline int fchmodat_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return chmod_common(ctx, a, (int)a->args[0], (const char *)a->args[1], -1, a->args[2], 0, 0);
}
static __always_inline int fchmodat2_h(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return chmod_common(ctx, a, (int)a->args[0], (const char *)a->args[1], -1, a->args[2], 1, I(a->args[3]));
}
SYSCALL_PAIR_IF(chmod, mode_arg1, chmod_h)
SYSCALL_PAIR_IF(fchmod, mode_arg1, fchmod_h)
SYSCALL_PAIR_IF(fchmodat, mode_arg2, fchmodat_h)
SYSCALL_PAIR_IF(fchmodat2, mode_arg2, fchmodat2_h)

/*
 * Kernels built without module support (CONFIG_MODULES=n, like the one we test on) have no
 * sys_enter_*module tracepoints: the calls exist only as sys_ni_syscall, which returns -ENOSYS.
 * An attempt still says a lot about a workload, so when user space finds those tracepoints
 * missing it loads this program instead (costs every syscall a few tens of ns, measured in the
 * sensor's docs). sys_enter runs after seccomp, so a call seen here reaches sys_ni_syscall and
 * its result is -ENOSYS; no sys_exit hook is needed for that.
 */
#if defined(__TARGET_ARCH_x86)
#define NR_INIT_MODULE 175
#define NR_DELETE_MODULE 176
#define NR_FINIT_MODULE 313
#elif defined(__TARGET_ARCH_arm64)
#define NR_INIT_MODULE 105
#define NR_DELETE_MODULE 106
#define NR_FINIT_MODULE 273
#endif

#ifdef NR_INIT_MODULE
SEC("tp_btf/sys_enter")
int BPF_PROG(module_fallback_enter, struct pt_regs *regs, long id)
{
	if (id != NR_INIT_MODULE && id != NR_FINIT_MODULE && id != NR_DELETE_MODULE)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (skip_task(task, pid_tgid >> 32))
		return 0;
	char *rec = get_scratch();
	if (!rec)
		return 0;
	struct syscall_event *e = (struct syscall_event *)rec;
	fill_header(&e->h, task, EVT_SYSCALL, id);
	e->h.ret = -ENOSYS_NR;
	__builtin_memset(e->args, 0, sizeof(e->args));
	__builtin_memset(e->str_len, 0, sizeof(e->str_len));
	__u64 a0 = PT_REGS_PARM1_CORE_SYSCALL(regs);
	__u64 a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	__u64 a2 = PT_REGS_PARM3_CORE_SYSCALL(regs);
	__u32 off = sizeof(*e);
	/* Same layout as the tracepoint handlers above. */
	if (id == NR_INIT_MODULE) {
		e->args[0] = a1;
		e->nargs = 1;
		e->str_len[0] = put_user_str(rec, &off, (const char *)a2, 256);
	} else if (id == NR_FINIT_MODULE) {
		e->args[0] = I(a0);
		e->args[1] = I(a2);
		e->nargs = 2;
		e->str_len[0] = put_fd_path(task, rec, &off, (int)a0);
		e->str_len[1] = put_user_str(rec, &off, (const char *)a1, 256);
	} else {
		e->args[0] = I(a1);
		e->nargs = 1;
		e->str_len[0] = put_user_str(rec, &off, (const char *)a0, 64);
	}
	emit_scratch(rec, off);
	return 0;
}
#endif
