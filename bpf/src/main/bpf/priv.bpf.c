// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Privilege and kernel-surface syscall sensor: identity changes, ptrace, process_vm_readv/writev, kernel modules,
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
 *    create, load, attach or reach objects;
 *  - extended attribute writes and removals except of security.* and trusted.* names.
 * process_vm_readv/writev are rare (debuggers use ptrace and /proc/PID/mem): every call is reported,
 * with whether it named the caller's own process (own_target).
 * Extended attribute writes submitted through an io_uring are reported as the calls they stand for
 * (setxattr, fsetxattr) by this sensor's ring handlers (below).
 */
#include "entry_texts.bpf.h"
#include "syscall.bpf.h"
#include "socket_filter.bpf.h"
#include "uring.bpf.h"

#define S_ISUID_BITS 06000
#define ENOSYS_NR 38

/* int arguments arrive in 64-bit registers; keep their sign (uid -1 means "unchanged"). */
#define I(x) ((__u64)(__s64)(__s32)(x))

/* The slot this record ended (its first *_TEXT item ends it, a second one uses it): owner and call. */
struct ended_slot {
	__u64 tid;
	__s64 nr;
	__u32 found;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ended_slot);
} ended_slots SEC(".maps");

/* A record starts with no slot ended (begin). */
static __always_inline void forget_ended_slot(void)
{
	struct ended_slot *s = bpf_map_lookup_elem(&ended_slots, &(__u32){0});
	if (s)
		s->tid = 0;
}

static __always_inline struct syscall_event *begin(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a,
						   struct task_struct **task)
{
	char *rec = get_scratch();
	if (!rec)
		return NULL;
	struct syscall_event *e = (struct syscall_event *)rec;
	*task = (struct task_struct *)bpf_get_current_task();
	fill_header(&e->h, *task, EVT_SYSCALL, a->nr);
	e->h.ret = ctx->ret;
	#pragma unroll
	for (int i = 0; i < SYSCALL_EVT_ARGS; i++)
		e->args[i] = 0;
	#pragma unroll
	for (int i = 0; i < SYSCALL_EVT_STRS; i++)
		e->str_len[i] = 0;
	e->nargs = 0;
	e->text_changed = 0;
	e->pad = 0;
	forget_ended_slot();
	return e;
}

static __always_inline void finish(struct syscall_event *e, __u32 off)
{
	emit_scratch((char *)e, off);
}

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

/*
 * The keep filters below read the arguments with direct loads (the tracepoint's record, or the
 * 32-bit path's copy on the stack): a BPF_CORE_READ is a helper call each, and socket() runs its
 * filter for every connection a client makes.
 */

/* ptrace: requests that start tracing or change the tracee. */
static __always_inline bool ptrace_keep(struct trace_event_raw_sys_enter *ctx)
{
	long req = ctx->args[0];
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

static __always_inline bool kill_keep(struct trace_event_raw_sys_enter *ctx)
{
	return (int)ctx->args[1] != 0;
}

static __always_inline bool socket_keep(struct trace_event_raw_sys_enter *ctx)
{
	return socket_watched(ctx->args[0], ctx->args[1], ctx->args[2]);
}

static __always_inline bool bpf_keep(struct trace_event_raw_sys_enter *ctx)
{
	int cmd = ctx->args[0];
	switch (cmd) {
	case 1: case 2: case 3: case 4:  /* MAP_LOOKUP/UPDATE/DELETE_ELEM, MAP_GET_NEXT_KEY */
	case 21:                         /* MAP_LOOKUP_AND_DELETE_ELEM */
	case 24: case 25: case 26: case 27:  /* map batch operations */
		return false;
	default:
		return true;
	}
}

/* chmod family: only modes that make a file setuid or setgid. */
#define MODE_KEEP(fn, idx)                                                     \
	static __always_inline bool fn(struct trace_event_raw_sys_enter *ctx)   \
	{                                                                      \
		return ctx->args[idx] & S_ISUID_BITS;                          \
	}
MODE_KEEP(mode_arg1, 1)
MODE_KEEP(mode_arg2, 2)

/*
 * The new mount API (fsopen ... move_mount, open_tree, mount_setattr) names a mount by an fd; what
 * is mounted is read from the mount object: the file's mount, its superblock's type and its device
 * name (what mount(2) was given as source). Empty when fd is not open.
 */
#define MNT_FIELD_FSTYPE 0
#define MNT_FIELD_DEVNAME 1

static __always_inline __u16 put_fd_mount_str(struct task_struct *task, char *rec, __u32 *off, int fd, int field)
{
	struct file *f = fd_file(task, fd);
	if (!f)
		return 0;
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	if (!vm)
		return 0;
	if (field == MNT_FIELD_FSTYPE)
		return put_kernel_str(rec, off, BPF_CORE_READ(vm, mnt_sb, s_type, name), 64);
	struct mount *m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
	return put_kernel_str(rec, off, BPF_CORE_READ(m, mnt_devname), 256);
}

#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#define OPEN_TREE_CLONE 0x1
/* move_mount's slot 5 (it takes 5 arguments): the fd of the mount being attached, -1 when from is a path. */
#define MOVED_MOUNT_FD 5

static __always_inline void moved_mount_fd(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	a->args[MOVED_MOUNT_FD] = (a->args[4] & MOVE_MOUNT_F_EMPTY_PATH) ? a->args[0] : (__u64)-1;
	keep_entry_texts(a->nr, (const char *)a->args[1], (const char *)a->args[3]);
}

/* open_tree and open_tree_attr: only a clone (a bind mount once attached); a plain one opens a mount O_PATH. */
static __always_inline bool clone_tree(struct trace_event_raw_sys_enter *ctx)
{
	return ctx->args[2] & OPEN_TREE_CLONE;
}

/*
 * The two readers below copy user memory at enter, which the kernel copies too: what the kernel
 * acts on, unless a racing thread rewrites it in between. Data in a page the caller never touched
 * (a fresh private file mapping) cannot be read there (no fault may be taken): the call is kept
 * with a->cold set, and the exit runs the reader again (ctx NULL), after the kernel's own copy
 * faulted the page in; only then does an unreadable struct or key count as such.
 */

/*
 * mount_setattr(dfd, path, flags, attr, size): struct mount_attr's attr_set, attr_clr and propagation
 * copied at enter into slots 3 to 5 (its pointer and size are of no use to user space).
 */
static __always_inline void read_mount_attr(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	__u64 attr[3] = {};
	if (!a->cold)  /* at enter (a cold call runs this again at exit) */
		keep_entry_texts(a->nr, (const char *)a->args[1], NULL);
	if (a->args[4] >= sizeof(attr) && bpf_probe_read_user(attr, sizeof(attr), (const void *)a->args[3]) != 0
	    && !a->cold) {
		a->cold = 1;  /* slots 3 and 4 keep the pointer and size for the exit */
		return;
	}
	a->cold = 0;
	a->args[3] = attr[0];
	a->args[4] = attr[1];
	a->args[5] = attr[2];
}

/*
 * fsconfig(fd, cmd, key, value, aux): the value only for the key "source" (a device, a path, a
 * server): other values may be secrets (a cifs password); slot 3 is cleared for those. At enter the
 * key is kept (the short text) and the value too where it is reported (entry_texts.bpf.h): the kernel
 * copies the key, then the value, then waits for the context's lock (6.18 fsconfig: strndup_user
 * twice, then uapi_mutex), so both are the entry's when the key read whole there (the value copy
 * waits for nothing before it). A key unreadable at enter (a page the kernel must fault in, or a
 * userfaultfd's) is judged at exit, and both texts are the exit's: the kernel copied the value after
 * that wait.
 */
static __always_inline void source_value_only(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	const char *ukey = (const char *)a->args[2];
	char key[8] = {};
	long len = bpf_probe_read_user_str(key, sizeof(key), ukey);
	bool source = len == 7 && key[0] == 's' && key[1] == 'o' && key[2] == 'u' && key[3] == 'r' && key[4] == 'c'
		      && key[5] == 'e';
	if (!a->cold) {  /* at enter (a cold call runs this again at exit) */
		bool readable = len >= 0 || !ukey;
		struct entry_texts *t = keep_entry_texts(a->nr, readable && source ? (const char *)a->args[3] : NULL, NULL);
		if (t) {
			keep_short_text(t, ukey);
			t->early = short_text_whole(t) ? SHORT_TEXT_EARLY | 1 << 3 : 0;  /* the key, then the value (argument 3) */
		}
		if (!readable) {
			a->cold = 1;  /* slot 3 keeps the value's pointer for the exit */
			return;
		}
	}
	a->cold = 0;
	if (!source)
		a->args[3] = 0;
}

/*
 * mount(source, target, type, flags, data) copies the type, the source and a page of options (data),
 * then looks the target up (6.18: copy_mount_string twice, copy_mount_options, do_mount). A copy can
 * wait only for a page the kernel must fault in (a userfaultfd's: mount-textflip in evade.c), which
 * the entry's read fails on too: a text is the entry's when it and everything copied before it read
 * whole at entry; the others are the exit's (priv_calls.h).
 */
#define MOUNT_OPTIONS_LEN 4096  /* copy_mount_options copies a page: x86_64's size (arm64's may be larger) */

static __always_inline bool mount_options_readable(const char *data)
{
	char c;
	return !data || (bpf_probe_read_user(&c, 1, data) == 0 && bpf_probe_read_user(&c, 1, data + MOUNT_OPTIONS_LEN - 1) == 0);
}

static __always_inline void keep_mount_texts(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	const char *source = (const char *)a->args[0], *type = (const char *)a->args[2];
	struct entry_texts *t = keep_entry_texts(a->nr, source, (const char *)a->args[1]);
	if (!t)
		return;
	keep_short_text(t, type);
	bool type_copied = !type || short_text_whole(t);
	bool source_copied = type_copied && (!source || t->len[0]);
	/* bits by argument: the source is argument 0, the target 1 (entry_texts.early) */
	t->early = (type_copied ? SHORT_TEXT_EARLY : 0) | (source_copied ? 1 : 0)
		   | (source_copied && mount_options_readable((const char *)a->args[4]) ? 2 : 0);
}

/*
 * process_vm_readv/writev(pid, lvec, liovcnt, rvec, riovcnt, flags) copy between the caller's memory
 * and pid's: credential dumping (T1003.007) and injection (T1055) read or write another process's
 * memory with them, and some programs read their own (a read that cannot fault). Slot 1 (the local
 * iovec's address, of no use to user space) says which: 1 when pid names the caller's own process
 * (its thread group id or its own thread id, as its pid namespace numbers them, which is how the
 * call resolves pid), else 0. A sibling thread's id is another process to this test: rare, and the
 * kernel would resolve it to the same memory.
 */
#define OWN_TARGET 1

static __always_inline __u32 pid_in_own_ns(struct pid *p, __u32 level)
{
	struct upid up = {};
	if (p && level < 32)
		bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level]);
	return up.nr;
}

static __always_inline void own_target(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct pid *thread = BPF_CORE_READ(task, thread_pid);
	__u32 level = BPF_CORE_READ(thread, level);
	__u32 target = (__u32)a->args[0];
	a->args[OWN_TARGET] = target != 0 && (target == pid_in_own_ns(thread, level)
			      || target == pid_in_own_ns(BPF_CORE_READ(task, group_leader, thread_pid), level));
}

/* The first bytes of an xattr name the filters look at: "system.posix_acl_" and one more. */
#define XATTR_NAME_HEAD 18

/* "system.posix_acl_access" and "system.posix_acl_default" (the names POSIX ACLs are written under). */
static __always_inline bool acl_xattr(const char *n)
{
	const char acl[] = "system.posix_acl_";
	#pragma unroll
	for (int i = 0; i < sizeof(acl) - 1; i++)
		if (n[i] != acl[i])
			return false;
	return n[sizeof(acl) - 1] == 'a' || n[sizeof(acl) - 1] == 'd';
}

/* The xattr names reported (priv_calls.h): security.*, trusted.* and the POSIX ACLs; n holds the name's head. */
static __always_inline bool watched_xattr(const char *n)
{
	return (n[0] == 's' && n[1] == 'e' && n[2] == 'c' && n[3] == 'u' && n[4] == 'r' && n[5] == 'i' && n[6] == 't'
		&& n[7] == 'y' && n[8] == '.')
	       || (n[0] == 't' && n[1] == 'r' && n[2] == 'u' && n[3] == 's' && n[4] == 't' && n[5] == 'e' && n[6] == 'd'
		   && n[7] == '.')
	       || acl_xattr(n);
}

/*
 * xattr calls: only names watched_xattr accepts (the name is argument idx, in user memory), and names
 * that cannot be read here: a name in a page not faulted in yet (an untouched file mapping) fails a
 * read that may not fault, while the kernel's own copy faults it in; the exit reads it again.
 * fn_at_exit: a failed call is dropped at exit unless its name reads as a watched one by then: a bad
 * name pointer (setxattr("/", (char *)1, ...), EFAULT in a microsecond) would otherwise be a record
 * per call from any process; only a successful write can need user space's look at the file.
 */
#define XATTR_KEEP(fn, idx)                                                                   \
	static __always_inline bool fn(struct trace_event_raw_sys_enter *ctx)                  \
	{                                                                                     \
		char n[XATTR_NAME_HEAD + 1] = {};                                             \
		if (bpf_probe_read_user_str(n, sizeof(n), (const void *)ctx->args[idx]) < 0)  \
			return true;                                                          \
		return watched_xattr(n);                                                      \
	}                                                                                     \
	static __always_inline bool fn##_at_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) \
	{                                                                                     \
		char n[XATTR_NAME_HEAD + 1] = {};                                             \
		return ctx->ret >= 0                                                          \
		       || (bpf_probe_read_user_str(n, sizeof(n), (const void *)a->args[idx]) > 0 \
			   && watched_xattr(n));                                              \
	}
XATTR_KEEP(xattr_name_arg1, 1)
XATTR_KEEP(xattr_name_arg3, 3)

/*
 * A call keep accepts also keeps the texts of its path arguments i and j (j < 0: none) at entry
 * (entry_texts.bpf.h), for the *_TEXT items at its exit.
 */
#define TEXTS_KEEP(fn, keep, i, j)                                                            \
	static __always_inline bool fn(struct trace_event_raw_sys_enter *ctx)                  \
	{                                                                                     \
		if (!keep(ctx))                                                               \
			return false;                                                         \
		keep_entry_texts(ctx->id, (const char *)ctx->args[i],                         \
				 (j) >= 0 ? (const char *)ctx->args[(j) & 7] : NULL);         \
		return true;                                                                  \
	}                                                                                     \
	static __always_inline bool fn##_at_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) \
	{                                                                                     \
		return keep##_at_exit(ctx, a);                                                \
	}
TEXTS_KEEP(xattr_path0_name1, xattr_name_arg1, 0, -1)
TEXTS_KEEP(xattr_path1_name3, xattr_name_arg3, 1, -1)

/*
 * ---- a call's text as the kernel copied it (TOCTOU: entry_texts.bpf.h) ----
 * Each *_TEXT item of a row (priv_calls.h) names which copy the kernel uses (6.18):
 *  - COPIED_AT_EXIT: the xattr calls copy their name and value (setxattrat its struct xattr_args
 *    too) BEFORE the path, mount(2) its type (and the source before the target, the options too),
 *    mount_setattr its struct mount_attr: copies that can wait (a page in a userfaultfd, or one the
 *    kernel must fault in), so a text the caller rewrites meanwhile is the one the kernel uses (seen
 *    so with evade.c xattr-pathflip and mount-flip). The entry's is taken where the exit's cannot be read.
 *  - COPIED_AT_ENTRY: the chmod family, umount2, fspick, open_tree, move_mount and pivot_root copy
 *    their path first (getname, then the lookup): the call can wait only after it (an inode or
 *    mount lock another thread holds), so the entry's text is the one (seen so with evade.c chmod-flip).
 * A call whose copies come in an order with nothing that can wait between them (mount, fsconfig) has
 * its on_enter say which of its texts the kernel copied before anything could wait (entry_texts.early):
 * those are the entry's whatever the item says; SHORT_STR_TEXT (a mount's type, an fsconfig key) goes by that alone.
 * Either way e->text_changed says the two differed, which no benign program makes happen.
 */

/* The thread's slot for call a: ended (counted when missing) by the record's first text, reused by its second. */
static __always_inline struct entry_texts *record_slot(struct syscall_args *a)
{
	struct ended_slot *s = bpf_map_lookup_elem(&ended_slots, &(__u32){0});
	__u64 tid = bpf_get_current_pid_tgid();
	if (!s)
		return NULL;
	if (s->tid == tid && s->nr == a->nr)
		return s->found ? bpf_task_storage_get(&entry_texts, bpf_get_current_task_btf(), 0, 0) : NULL;
	struct entry_texts *t = end_entry_texts(a->nr);
	s->tid = tid;
	s->nr = a->nr;
	s->found = t != NULL;
	return t;
}

/*
 * The text at argument arg as the kernel copied it (copied, or the entry's where the on_enter says
 * so), with e->text_changed set when the entry's and the exit's differed: a path made absolute against
 * dirfd (path), or a string of at most max bytes.
 */
static __always_inline __u16 put_call_text(struct task_struct *task, struct syscall_event *e, __u32 *off,
					   struct syscall_args *a, int dirfd, int arg, const char *utext,
					   enum copied_text copied, bool path, __u32 max)
{
	struct call_texts *ct = bpf_map_lookup_elem(&call_texts, &(__u32){0});
	if (!ct)
		return 0;
	struct entry_texts *t = record_slot(a);
	/* the slot read from this pointer (either when both were: the same text), not which argument it is */
	int i = t && t->uptr[1] == (__u64)utext && t->uptr[0] != (__u64)utext;
	__u32 changed = 0;
	if (t && (t->early >> (arg & 7)) & 1)
		copied = COPIED_AT_ENTRY;  /* the call's on_enter knows the kernel copied it before any wait */
	take_text(ct->text[0], t, i, utext, &changed, copied);
	if (changed)
		e->text_changed = 1;
	/* empty: unreadable, or an empty path (move_mount's from an fd): what the exit reads, as PATH does */
	if (!ct->text[0][0])
		return path ? put_user_path(task, (char *)e, off, dirfd, utext) : put_user_str((char *)e, off, utext, max);
	return path ? put_kernel_path(task, (char *)e, off, dirfd, ct->text[0]) : put_kernel_str((char *)e, off, ct->text[0], max);
}

/* A short text argument (a mount's type, an fsconfig key: keep_short_text) as the kernel copied it, as put_call_text. */
static __always_inline __u16 put_short_text(struct syscall_event *e, __u32 *off, struct syscall_args *a, const char *utext)
{
	struct call_texts *ct = bpf_map_lookup_elem(&call_texts, &(__u32){0});
	if (!ct)
		return 0;
	struct entry_texts *t = record_slot(a);
	__u32 changed = 0;
	__builtin_memset(ct->text[0], 0, SHORT_TEXT_LEN);
	bool readable = take_short_text(ct->text[0], t, utext, &changed);
	if (changed)
		e->text_changed = 1;
	return readable ? put_kernel_str((char *)e, off, ct->text[0], SHORT_TEXT_LEN) : 0;
}

/* on_enter of calls (also 32-bit ones) keeping the texts at arguments I and J (entry_texts.bpf.h) */
KEEP_TEXTS_FN(0, -1, 0)
KEEP_TEXTS_FN(1, -1, 1)
KEEP_TEXTS_FN(0, 1, 0_1)

/* on_enter of the 32-bit calls filtered at exit: the texts only of calls their exit reports. */
static __always_inline void suid_texts_0(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	if (a->args[1] & S_ISUID_BITS)
		keep_texts_0(ctx, a);
}

static __always_inline void suid_texts_1(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	if (a->args[2] & S_ISUID_BITS)
		keep_texts_1(ctx, a);
}

static __always_inline void clone_texts_1(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	if (a->args[2] & OPEN_TREE_CLONE)
		keep_texts_1(ctx, a);
}

/*
 * A part of the file capabilities a security.capability value sets (struct vfs_cap_data: magic_etc,
 * then {permitted, inheritable} of capabilities 0-31 and 32-63; revision 2 is 20 bytes, revision 3
 * adds the root uid of the namespace they were set in): 0 for another name or a shorter value.
 */
enum file_caps_part { CAPS_PERMITTED, CAPS_INHERITABLE, CAPS_EFFECTIVE };

static __always_inline __u64 file_caps(const void *name, const void *value, __u64 size, enum file_caps_part part,
				       bool kernel)
{
	const char want[20] = "security.capability";
	char n[20] = {};
	__u32 v[5] = {};
	if (size < sizeof(v) || !value)
		return 0;
	long len = kernel ? bpf_probe_read_kernel_str(n, sizeof(n), name) : bpf_probe_read_user_str(n, sizeof(n), name);
	if (len != sizeof(want))
		return 0;
	#pragma unroll
	for (int i = 0; i < sizeof(want) - 1; i++)
		if (n[i] != want[i])
			return 0;
	if ((kernel ? bpf_probe_read_kernel(v, sizeof(v), value) : bpf_probe_read_user(v, sizeof(v), value)) != 0)
		return 0;
	switch (part) {
	case CAPS_PERMITTED:
		return v[1] | (__u64)v[3] << 32;
	case CAPS_INHERITABLE:
		return v[2] | (__u64)v[4] << 32;
	default:
		return v[0] & 1;  /* VFS_CAP_FLAGS_EFFECTIVE */
	}
}

/*
 * What a POSIX ACL value grants, as setfacl's short text: "u::rw-,u:1000:r--,g::r--,m::r--,o::---"
 * (u/g/m/o: the owner or a named user, the owning or a named group, the mask, others). The value is
 * struct posix_acl_xattr_header (version 2) and then {__le16 tag, __le16 perm, __le32 id} entries,
 * which the kernel accepts only sorted by tag and id. At most ACL_TEXT_ENTRIES are spelled out, then
 * "+N" says how many more there were. Written into the scratch record at off; returns its length,
 * 0 (no string) for another name, version or an unreadable value.
 */
#define ACL_TEXT_ENTRIES 16
#define ACL_ENTRY_TEXT 32

__noinline __u32 acl_text(__u32 off, __u64 name_addr, __u64 value_addr, __u64 size, __u32 kernel)
{
	const void *name = (const void *)name_addr, *value = (const void *)value_addr;
	char *rec = bpf_map_lookup_elem(&scratch_buf, &(__u32){0});
	char n[XATTR_NAME_HEAD + 1] = {};
	if (!rec)
		return 0;
	__u32 version = 0;
	if (!value || size < 4 || (size - 4) % 8 != 0)
		return 0;
	if ((kernel ? bpf_probe_read_kernel_str(n, sizeof(n), name) : bpf_probe_read_user_str(n, sizeof(n), name)) <= 0
	    || !acl_xattr(n))
		return 0;
	if ((kernel ? bpf_probe_read_kernel(&version, 4, value) : bpf_probe_read_user(&version, 4, value)) != 0
	    || version != 2)
		return 0;
	static const char named[] = "%c:%u:%c%c%c,";
	static const char unnamed[] = "%c::%c%c%c,";
	static const char more[] = "+%u,";
	__u32 entries = (size - 4) / 8;
	__u32 start = off & SCRATCH_OFF_MASK, len = 0;
	/* Each entry's offset is masked: the whole text must fit below the mask or it wraps (scratch_full). */
	if (off > SCRATCH_OFF_MASK - (ACL_TEXT_ENTRIES + 2) * ACL_ENTRY_TEXT)
		return 0;
	for (__u32 i = 0; i < ACL_TEXT_ENTRIES && i < entries; i++) {
		struct { __u16 tag, perm; __u32 id; } ent = {};
		const void *at = value + 4 + i * 8;
		if ((kernel ? bpf_probe_read_kernel(&ent, 8, at) : bpf_probe_read_user(&ent, 8, at)) != 0)
			return 0;
		/* ACL_USER_OBJ 1, ACL_USER 2, ACL_GROUP_OBJ 4, ACL_GROUP 8, ACL_MASK 0x10, ACL_OTHER 0x20 */
		char tag = ent.tag <= 2 ? 'u' : ent.tag <= 8 ? 'g' : ent.tag == 0x10 ? 'm' : ent.tag == 0x20 ? 'o' : '?';
		__u64 r = ent.perm & 4 ? 'r' : '-', w = ent.perm & 2 ? 'w' : '-', x = ent.perm & 1 ? 'x' : '-';
		char *to = rec + ((start + len) & SCRATCH_OFF_MASK);
		long got;
		if (ent.tag == 2 || ent.tag == 8) {
			__u64 data[] = {tag, ent.id, r, w, x};
			got = bpf_snprintf(to, ACL_ENTRY_TEXT, named, data, sizeof(data));
		} else {
			__u64 data[] = {tag, r, w, x};
			got = bpf_snprintf(to, ACL_ENTRY_TEXT, unnamed, data, sizeof(data));
		}
		if (got <= 1)
			return 0;
		len += got - 1;  /* the next entry overwrites this one's NUL */
		if (len > ACL_TEXT_ENTRIES * ACL_ENTRY_TEXT)
			return 0;
	}
	if (entries > ACL_TEXT_ENTRIES) {
		__u64 data[] = {entries - ACL_TEXT_ENTRIES};
		long got = bpf_snprintf(rec + ((start + len) & SCRATCH_OFF_MASK), ACL_ENTRY_TEXT, more, data, sizeof(data));
		if (got > 1)
			len += got - 1;
	}
	if (len == 0)
		return 0;
	rec[(start + len - 1) & SCRATCH_OFF_MASK] = 0;  /* the last ',' ends the string */
	return len;
}

/*
 * Appends acl_text's text to the scratch record rec at *off. acl_text is a global function, checked
 * once per program instead of its 16 entries at every state that reaches it (issue 15): it writes
 * into the same per-CPU scratch, looked up itself.
 */
static __always_inline __u16 put_acl_text(char *rec, __u32 *off, const void *name, const void *value, __u64 size,
					  bool kernel)
{
	/* At most ACL_TEXT_ENTRIES entries and "+N": below 1024, said so to the verifier. */
	__u32 len = acl_text(*off, (__u64)name, (__u64)value, size, kernel) & 1023;
	if (len)
		*off = (*off & SCRATCH_OFF_MASK) + len;
	return len;
}

/* setxattrat's struct xattr_args in user memory: __u64 value, __u32 size, __u32 flags. */
static __always_inline __u64 xattr_args_member(__u64 uargs, __u32 offset, __u32 width)
{
	__u64 v = 0;
	if (uargs)
		bpf_probe_read_user(&v, width, (const void *)(uargs + offset));
	return v;
}
#define XATTR_ARGS_value 0, 8
#define XATTR_ARGS_size 8, 4
#define XATTR_ARGS_flags 12, 4

/* ---- the calls: one row each in priv_calls.h ---- */

/* Items of a row, as values for args[] and str_len[] (see priv_calls.h); the names are for Java. */
#define INT(n, name) I(a->args[n])
#define LONG(n, name) (a->args[n])
#define MODE(n, name) (a->args[n] & 07777)
#define USER_STR(n, max, name) put_user_str((char *)e, off, (const char *)a->args[n], max)
#define PATH(n, name) put_user_path(task, (char *)e, off, AT_FDCWD_VALUE, (const char *)a->args[n])
#define PATH_AT(dirfd, n, name) put_user_path(task, (char *)e, off, (int)a->args[dirfd], (const char *)a->args[n])
#define FD_PATH(n, name) put_fd_path(task, (char *)e, off, (int)a->args[n])
#define CALL_TEXT(dirfd, n, copied, path, max) \
	put_call_text(task, e, off, a, dirfd, n, (const char *)a->args[n], copied, path, max)
#define PATH_TEXT(n, name) CALL_TEXT(AT_FDCWD_VALUE, n, COPIED_AT_EXIT, true, 0)
#define PATH_AT_TEXT(dirfd, n, name) CALL_TEXT((int)a->args[dirfd], n, COPIED_AT_EXIT, true, 0)
#define PATH_ENTRY_TEXT(n, name) CALL_TEXT(AT_FDCWD_VALUE, n, COPIED_AT_ENTRY, true, 0)
#define PATH_AT_ENTRY_TEXT(dirfd, n, name) CALL_TEXT((int)a->args[dirfd], n, COPIED_AT_ENTRY, true, 0)
#define USER_STR_TEXT(n, max, name) CALL_TEXT(0, n, COPIED_AT_EXIT, false, max)
#define SHORT_STR_TEXT(n, name) put_short_text(e, off, a, (const char *)a->args[n])
/* n: an argument slot, or RESULT for the fd the call returned */
#define RESULT 6
#define FD_OF(n) ((n) == RESULT ? (int)e->h.ret : (int)a->args[(n) % 6])
#define MNT_FSTYPE(n, name) put_fd_mount_str(task, (char *)e, off, FD_OF(n), MNT_FIELD_FSTYPE)
#define MNT_DEVNAME(n, name) put_fd_mount_str(task, (char *)e, off, FD_OF(n), MNT_FIELD_DEVNAME)
#define XATTR_ARGS(n, member, name) XATTR_ARGS_(a->args[n], XATTR_ARGS_##member)
#define XATTR_ARGS_(uargs, offset_width) xattr_args_member(uargs, offset_width)
#define FILE_CAPS(name_n, value_n, size_n, part, name) \
	file_caps((const void *)a->args[name_n], (const void *)a->args[value_n], a->args[size_n], part, false)
#define ACL_TEXT(name_n, value_n, size_n, name) \
	put_acl_text((char *)e, off, (const void *)a->args[name_n], (const void *)a->args[value_n], a->args[size_n], false)
#define ACL_TEXT_AT(name_n, uargs_n, name) \
	put_acl_text((char *)e, off, (const void *)a->args[name_n], (const void *)XATTR_ARGS(uargs_n, value, value), \
		     XATTR_ARGS(uargs_n, size, size), false)
#define FILE_CAPS_AT(name_n, uargs_n, part, name) \
	file_caps((const void *)a->args[name_n], (const void *)XATTR_ARGS(uargs_n, value, value), \
		  XATTR_ARGS(uargs_n, size, size), part, false)

/* m(0, x1) m(1, x2) ...: each item with its slot, in order (strings are appended in that order). */
#define COUNT(...) COUNT_(__VA_ARGS__, 6, 5, 4, 3, 2, 1)
#define COUNT_(_1, _2, _3, _4, _5, _6, n, ...) n
#define EACH(m, ...) CAT(EACH_, COUNT(__VA_ARGS__))(m, __VA_ARGS__)
#define CAT(x, y) CAT_(x, y)
#define CAT_(x, y) x##y
#define EACH_1(m, x1) m(0, x1)
#define EACH_2(m, x1, x2) m(0, x1) m(1, x2)
#define EACH_3(m, x1, x2, x3) m(0, x1) m(1, x2) m(2, x3)
#define EACH_4(m, x1, x2, x3, x4) EACH_3(m, x1, x2, x3) m(3, x4)
#define EACH_5(m, x1, x2, x3, x4, x5) EACH_4(m, x1, x2, x3, x4) m(4, x5)
#define EACH_6(m, x1, x2, x3, x4, x5, x6) EACH_5(m, x1, x2, x3, x4, x5) m(5, x6)

#define PUT_ARG(i, value) e->args[i] = value;
#define PUT_STR(i, value) e->str_len[i] = value;
#define ARGS(...) EACH(PUT_ARG, __VA_ARGS__) e->nargs = COUNT(__VA_ARGS__);
#define STRS(...) EACH(PUT_STR, __VA_ARGS__)
#define NO_STRS
#define NO_ARGS

/*
 * fill_NAME(e, a, task, off) writes a call's numbers and strings from its kept arguments a (the
 * module fallback below shares it); handle_NAME builds the whole record at exit, after running
 * on_enter again for a call whose enter could not read its user memory (a->cold).
 */
#define PRIV_HANDLER(name, on_enter, args, strs)                                                       \
	static __always_inline void fill_##name(struct syscall_event *e, struct syscall_args *a,        \
						struct task_struct *task, __u32 *off)                  \
	{                                                                                              \
		args strs                                                                              \
	}                                                                                              \
	static __always_inline int handle_##name(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) \
	{                                                                                              \
		if (a->cold)                                                                           \
			on_enter(NULL, a);                                                             \
		struct task_struct *task;                                                              \
		struct syscall_event *e = begin(ctx, a, &task);                                        \
		if (!e)                                                                                \
			return 0;                                                                      \
		__u32 off = sizeof(*e);                                                                \
		fill_##name(e, a, task, &off);                                                         \
		finish(e, off);                                                                        \
		return 0;                                                                              \
	}

#define PRIV(name, tp, args, strs) PRIV_HANDLER(name, NO_ENTER, args, strs) SYSCALL_PAIR(tp, handle_##name)
#define KEPT_AT_EXIT(keep) \
	static __always_inline bool keep##_at_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return true; }
KEPT_AT_EXIT(mode_arg1)
KEPT_AT_EXIT(mode_arg2)
KEPT_AT_EXIT(clone_tree)
TEXTS_KEEP(suid_chmod, mode_arg1, 0, -1)
TEXTS_KEEP(suid_chmodat, mode_arg2, 1, -1)
TEXTS_KEEP(clone_tree_texts, clone_tree, 1, -1)

/* keep##_at_exit(ctx, a): whether the exit still reports a call keep accepted at enter. */
#define PRIV_IF(name, tp, keep, args, strs) PRIV_HANDLER(name, NO_ENTER, args, strs)                     \
	static __always_inline int handle_kept_##name(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) \
	{                                                                                              \
		return keep##_at_exit(ctx, a) ? handle_##name(ctx, a) : 0;                             \
	}                                                                                              \
	SYSCALL_PAIR_IF(tp, keep, handle_kept_##name)
/* A call whose keep filter reads only integer arguments: judged and reported at exit (SYSCALL_EXIT_ONLY_KEEP). */
#define PRIV_EXIT_IF(name, tp, keep, args, strs) PRIV_HANDLER(name, NO_ENTER, args, strs) \
	SYSCALL_EXIT_ONLY_KEEP(tp, keep, handle_##name)
#define PRIV_ENTER(name, tp, on_enter, args, strs) PRIV_HANDLER(name, on_enter, args, strs) \
	SYSCALL_PAIR_ENTER(tp, on_enter, handle_##name)

#include "priv_calls.h"

/*
 * ---- extended attributes through an io_uring ----
 * IORING_OP_SETXATTR (a path) and IORING_OP_FSETXATTR (the request's file) are the setxattr and
 * fsetxattr records of priv_calls.h (size, flags, file capabilities; path, name), with the call's own number, so rules
 * on evt.type see a ring request as the direct call; the same names are kept (watched_xattr). Their
 * prep copies the name and value into the kernel, which frees them before the completion: the record
 * is built at submission (tp_btf/io_uring_submit_req) from the kernel's copy (no user memory a racing
 * thread could change) and parked under the request's address until its completion gives the result.
 * A request that asked for no completion on success (IOSQE_CQE_SKIP_SUCCESS), or whose record does
 * not fit a parking place or finds none free, is reported at submission as a success. Both programs
 * are tail-called by the shared dispatcher for the opcodes of uring_routes.h, never attached.
 */
#define IORING_OP_FSETXATTR_ 41
#define IORING_OP_SETXATTR_ 42
#define REQ_F_FIXED_FILE_ (1ULL << 0)
#define REQ_F_CQE_SKIP_ (1ULL << 6)
#if defined(__TARGET_ARCH_arm64)
#define NR_SETXATTR_ 5
#define NR_FSETXATTR_ 7
#else
#define NR_SETXATTR_ 188
#define NR_FSETXATTR_ 190
#endif
#define XATTR_PARKED_MAX 4096

struct xattr_parked { char rec[XATTR_PARKED_MAX]; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct xattr_parked);
} ring_xattrs SEC(".maps");

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_priv_submitted, struct io_kiocb *req)
{
	__u8 opcode = req->opcode;
	if (opcode != IORING_OP_SETXATTR_ && opcode != IORING_OP_FSETXATTR_)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (skip_task(task, bpf_get_current_pid_tgid() >> 32))
		return 0;
	struct io_xattr *ix = (struct io_xattr *)&req->cmd;
	const char *kname = (const char *)BPF_CORE_READ(ix, ctx.kname);
	char n[XATTR_NAME_HEAD + 1] = {};
	if (!kname || bpf_probe_read_kernel_str(n, sizeof(n), kname) <= 0 || !watched_xattr(n))
		return 0;
	char *rec = get_scratch();
	if (!rec)
		return 0;
	struct syscall_event *e = (struct syscall_event *)rec;
	bool by_file = opcode == IORING_OP_FSETXATTR_;
	__u64 flags = req->flags;
	fill_header(&e->h, task, EVT_SYSCALL, by_file ? NR_FSETXATTR_ : NR_SETXATTR_);
	e->h.ret = 0;
	__builtin_memset(e->args, 0, sizeof(e->args));
	__builtin_memset(e->str_len, 0, sizeof(e->str_len));
	/* as the rows' size, flags, cap_permitted, cap_inheritable, cap_effective */
	__u64 size = BPF_CORE_READ(ix, ctx.size);
	const void *kvalue = BPF_CORE_READ(ix, ctx.kvalue);
	e->args[0] = size;
	e->args[1] = I(BPF_CORE_READ(ix, ctx.flags));
	e->args[2] = file_caps(kname, kvalue, size, CAPS_PERMITTED, true);
	e->args[3] = file_caps(kname, kvalue, size, CAPS_INHERITABLE, true);
	e->args[4] = file_caps(kname, kvalue, size, CAPS_EFFECTIVE, true);
	e->nargs = 5;
	e->text_changed = 0;  /* the kernel's copy of the path: nothing to compare */
	e->pad = 0;
	__u32 off = sizeof(*e);
	if (by_file) {
		/* The request's file is assigned when it is issued: its fd's, or its registered (fixed) file's. */
		int fd = BPF_CORE_READ(req, cqe.fd);
		struct file *f = (flags & REQ_F_FIXED_FILE_) ? ring_slot_file(req, (__u32)fd + 1, 0) : fd_file(task, fd);
		e->str_len[0] = f ? put_path(task, rec, &off, &f->f_path) : 0;
	} else {
		/* io_setxattr looks the name up from the cwd (AT_FDCWD) */
		e->str_len[0] = put_kernel_path(task, rec, &off, AT_FDCWD_VALUE, BPF_CORE_READ(ix, filename, name));
	}
	e->str_len[1] = put_kernel_str(rec, &off, kname, 256);
	e->str_len[2] = put_acl_text(rec, &off, kname, kvalue, size, true);
	e->h.size = off & (SCRATCH_SIZE - 1);
	__u64 key = (__u64)req;
	if ((flags & REQ_F_CQE_SKIP_) || off >= XATTR_PARKED_MAX
	    || bpf_map_update_elem(&ring_xattrs, &key, rec, BPF_ANY) != 0)
		emit_scratch(rec, off);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_priv_done, struct io_ring_ctx *ring, void *request, struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)request;
	char *parked = bpf_map_lookup_elem(&ring_xattrs, &key);
	if (!parked)
		return 0;
	char *rec = get_scratch();
	__u32 size = ((struct event_header *)parked)->size & (XATTR_PARKED_MAX - 1);
	if (rec)
		bpf_probe_read_kernel(rec, size, parked);
	bpf_map_delete_elem(&ring_xattrs, &key);
	if (!rec)
		return 0;
	((struct event_header *)rec)->ret = BPF_CORE_READ(cqe, res);
	emit_scratch(rec, size);
	return 0;
}

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
	e->nargs = 0;
	e->text_changed = 0;
	e->pad = 0;
	struct syscall_args a = {};
	a.nr = id;
	a.args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a.args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a.args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	__u32 off = sizeof(*e);
	/* The records the tracepoint programs make (priv_calls.h). */
	if (id == NR_INIT_MODULE)
		fill_init_module(e, &a, task, &off);
	else if (id == NR_FINIT_MODULE)
		fill_finit_module(e, &a, task, &off);
	else
		fill_delete_module(e, &a, task, &off);
	emit_scratch(rec, off);
	return 0;
}
#endif

/*
 * 32-bit calls (syscall.bpf.h: COMPAT_PROGRAMS): X(ia32 nr, x86_64 nr, on_enter, handler). The
 * identity changes (the 32-bit-uid calls and the old 16-bit ones, whose -1 is 0xffff), the calls
 * that reach the host's namespaces and mounts (mount(2) and the new mount API), and the filtered calls (kill, ptrace, socket, also
 * through socketcall, bpf, the chmod family), filtered at exit by their native filters. tkill and
 * tgkill are not watched, as natively.
 */
/* The old 16-bit-uid calls are the 32-bit-uid ones with narrower ids; socketcall(SYS_SOCKET) is socket. */
static __always_inline void priv_adjust(struct syscall_args *a)
{
#ifdef IA32_SOCKETCALL
	unpack_socketcall(a);
#endif
	switch (a->nr) {
	case 23: a->nr = 213; break;   /* setuid */
	case 46: a->nr = 214; break;   /* setgid */
	case 70: a->nr = 203; break;   /* setreuid */
	case 71: a->nr = 204; break;   /* setregid */
	case 164: a->nr = 208; break;  /* setresuid */
	case 170: a->nr = 210; break;  /* setresgid */
	}
}

#define PRIV_COMPAT_CALLS(X)                                                          \
	X(213, 105, save_uids, handle_setuid) X(214, 106, save_gids, handle_setgid)   \
	X(203, 113, save_uids, handle_setreuid) X(204, 114, save_gids, handle_setregid) \
	X(208, 117, save_uids, handle_setresuid) X(210, 119, save_gids, handle_setresgid) \
	X(215, 122, NO_ENTER, handle_setfsuid) X(216, 123, NO_ENTER, handle_setfsgid) \
	X(310, 272, NO_ENTER, handle_unshare) X(346, 308, NO_ENTER, handle_setns)      \
	X(21, 165, keep_mount_texts, handle_mount) X(52, 166, keep_texts_0, handle_umount2)       \
	X(356, 319, NO_ENTER, handle_memfd_create)                                   \
	X(37, 62, NO_ENTER, COMPAT_IF(kill_keep, handle_kill))                        \
	X(26, 101, NO_ENTER, COMPAT_IF(ptrace_keep, handle_ptrace))                   \
	X(IA32_SOCKET, 41, NO_ENTER, COMPAT_IF(socket_keep, handle_socket))           \
	X(357, 321, NO_ENTER, COMPAT_IF(bpf_keep, handle_bpf))                        \
	X(15, 90, suid_texts_0, COMPAT_IF(mode_arg1, handle_chmod))                       \
	X(94, 91, NO_ENTER, COMPAT_IF(mode_arg1, handle_fchmod))                      \
	X(306, 268, suid_texts_1, COMPAT_IF(mode_arg2, handle_fchmodat))                  \
	X(452, 452, suid_texts_1, COMPAT_IF(mode_arg2, handle_fchmodat2))                 \
	X(347, 310, own_target, handle_process_vm_readv)                              \
	X(348, 311, own_target, handle_process_vm_writev)                             \
	X(217, 155, keep_texts_0_1, handle_pivot_root) X(430, 430, NO_ENTER, handle_fsopen) \
	X(431, 431, source_value_only, handle_fsconfig) X(432, 432, NO_ENTER, handle_fsmount) \
	X(433, 433, keep_texts_1, handle_fspick) X(429, 429, moved_mount_fd, handle_move_mount) \
	X(442, 442, read_mount_attr, handle_mount_setattr)                           \
	X(428, 428, clone_texts_1, COMPAT_IF(clone_tree, handle_open_tree))               \
	X(467, 467, clone_texts_1, COMPAT_IF(clone_tree, handle_open_tree_attr))

COMPAT_IF_FN(kill_keep, handle_kill)
COMPAT_IF_FN(ptrace_keep, handle_ptrace)
COMPAT_IF_FN(socket_keep, handle_socket)
COMPAT_IF_FN(bpf_keep, handle_bpf)
COMPAT_IF_FN(mode_arg1, handle_chmod)
COMPAT_IF_FN(mode_arg1, handle_fchmod)
COMPAT_IF_FN(mode_arg2, handle_fchmodat)
COMPAT_IF_FN(mode_arg2, handle_fchmodat2)
COMPAT_IF_FN(clone_tree, handle_open_tree)
COMPAT_IF_FN(clone_tree, handle_open_tree_attr)
COMPAT_PROGRAMS(PRIV_COMPAT_CALLS, priv_adjust, COMPAT_SLOT_PRIV)
