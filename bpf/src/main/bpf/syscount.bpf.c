// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Syscall learning: for every mount namespace, the set of syscall numbers its tasks made, as a
 * bitmap in a kernel map (syscalls_by_mntns). Nothing goes to user space per syscall; the
 * learner reads the map (io.eunomia.bpf.SyscallUsage).
 *
 * Cost: this runs on every syscall of the host. The fast path is one task-local-storage lookup,
 * three loads for the mount namespace and a bit test in the task's own "already recorded" copy:
 * no hash lookup and no write to a cache line shared between CPUs. Only the first call of a
 * syscall number by a task (per namespace, per generation) takes the slow path: filters, the
 * hash lookup, and an atomic OR that is skipped when another task already set the bit.
 *
 * raw_tp rather than tp_btf: both attach here; raw_tp was as cheap or slightly cheaper in paired
 * runs on this 2-vCPU VM (open+close loop: no-op program +9.0% vs +10.0%, this program +10.7%
 * vs +12.6%), differences of the order of the noise. Direct reads through
 * bpf_get_current_task_btf() work in both.
 *
 * 32-bit calls (ia32 on x86_64, aarch32 on arm64) have their own numbering: they go to a separate
 * bitmap (compat), never mixed with the native one. Numbers outside 0..1023 (x32 calls carry bit
 * 30; a bogus syscall(-1)) are not recorded and are counted (LEARN_OUT_OF_RANGE).
 *
 * Runtime set-up apart from the workload: a task is the workload once it exec'd inside a
 * namespace other than the host's, under a root directory other than the host's (the runtime's
 * own init is exec'd on the host, or in a private copy of its mounts, then enters the
 * container's namespaces and works there until it execs the workload), and its children are too
 * (sched_process_fork passes the mark on). Tasks that were running before learning began have no
 * mark; they count as workload when the file they run lies in their own mount namespace (the
 * runtime's binary, or its memfd copy, does not). Until then a task's calls go to the set-up
 * bitmaps. An exec restarts the task's cache, so the calls after it are recorded again.
 *
 * Argument values: for the few calls whose arguments decide their danger (user space lists them
 * in learn_control: socket family/type, clone/unshare flags, prctl option, ...), a watched bit
 * test on the fast path, then a small per-namespace set of distinct values (at most
 * ARG_MAX_VALUES per call and argument; more is counted as overflow), workload calls only. A task
 * remembers the last value per slot, so a loop of identical calls stays on the fast path.
 */
#include "common.bpf.h"
#include "compat.bpf.h"

#define LEARN_BITS 1024
#define LEARN_WORDS (LEARN_BITS / 64)
#define LEARN_MAX_NS 4096
#define ARG_SLOTS 16
#define ARG_MAX_VALUES 16
#define ARG_MAX_ENTRIES 16384

struct syscall_bitmap {
	__u64 native[LEARN_WORDS];
	__u64 compat[LEARN_WORDS];
};

/*
 * Keyed by the namespace's 64-bit id (unique per boot), not its number: numbers are reused as
 * soon as a namespace is freed, and on a busy host a short-lived container's number belongs to
 * the next one before the learner has read it. The entry remembers the number for user space.
 */
struct learned {
	__u32 mntns;                 /* the namespace's number (inode) */
	__u32 pad;
	__u64 first_ns;              /* its first recorded call (ktime): ids are not in creation order */
	struct syscall_bitmap calls; /* the workload's */
	struct syscall_bitmap setup; /* the runtime's set-up, before the workload's exec */
};

/*
 * Learned so far, by namespace id (the number on kernels without ids). A plain hash, not LRU: a
 * full map must not evict a namespace silently; it counts LEARN_NS_FULL instead, and the learner
 * deletes namespaces it is done with (dead ones included).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LEARN_MAX_NS);
	__type(key, __u64);
	__type(value, struct learned);
} syscalls_by_mntns SEC(".maps");

/* One watched argument: which call (number in its ABI), which argument, which bits. */
struct arg_rule {
	__u32 nr;
	__u8 compat;         /* the number is the 32-bit ABI's */
	__u8 index;          /* 0..5 */
	__u8 in_memory;      /* the argument points to a u64 to read (clone3's clone_args.flags) */
	__u8 enabled;
	__u64 mask;
};

/* A new entry is built here: it is larger than the BPF stack. Only mntns and first_ns are ever written. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct learned);
} fresh_entry SEC(".maps");

/* What user space changes at run time (key 0). */
struct learn_control {
	__u32 generation;    /* bumped on reset or config change: every task cache starts over */
	__u32 ignore_mntns;  /* not learned (the host's, when only containers are wanted); 0 = none */
	__u32 host_mntns;    /* an exec here does not make a workload (the runtime execs its init here) */
	__u32 host_root_dev; /* the host's root directory (dev_t as stat reports it, stat_dev; inode): an exec with this root */
	__u64 host_root_ino; /* does not make a workload either; 0 = not checked */
	__u64 watch_native[LEARN_WORDS];  /* calls with a rule: bit per syscall number */
	__u64 watch_compat[LEARN_WORDS];
	struct arg_rule rules[ARG_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct learn_control);
} learn_control SEC(".maps");

/* Per task: what this task already put into its namespace's bitmap in this generation. */
struct task_seen {
	__u64 nsid;          /* the namespace cached; 0 = start over at the next call (after an exec) */
	__u32 mntns;
	__u32 generation;
	__u8 skip;           /* filtered out (our own process, pid/mntns filter, ignored namespace) */
	__u8 workload;       /* marked: exec'd in a container namespace, or a child of such a task */
	__u8 phase_workload; /* this cache records into the workload bitmaps */
	__u8 pad;
	__u16 arg_valid;     /* bit per slot: last_arg holds a value */
	__u16 pad2;
	__u64 last_arg[ARG_SLOTS];
	struct syscall_bitmap seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_seen);
} task_seen SEC(".maps");

/* What could not be learned, per CPU, summed by user space. */
enum learn_stat {
	LEARN_NS_FULL = 0,       /* syscalls not recorded: syscalls_by_mntns was full */
	LEARN_OUT_OF_RANGE = 1,  /* syscalls with a number outside the bitmap */
	LEARN_NO_STORAGE = 2,    /* task storage allocation failed: recorded the slow way */
	LEARN_ARG_FULL = 3,      /* argument values not recorded: arg_values or arg_counts was full */
	LEARN_ARG_OVERFLOW = 4,  /* argument values past ARG_MAX_VALUES for a namespace's call */
	LEARN_STATS = 5,
};

/* A distinct argument value of a namespace (by id: never reused); the value is its first ktime. */
struct arg_key {
	__u64 nsid;
	__u32 slot;
	__u32 pad;
	__u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARG_MAX_ENTRIES);
	__type(key, struct arg_key);
	__type(value, __u64);
} arg_values SEC(".maps");

struct arg_count_key {
	__u64 nsid;
	__u32 slot;
	__u32 pad;
};

/* How many values a namespace's slot holds, and whether more came than it may keep. */
struct arg_count {
	__u32 count;
	__u32 overflow;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARG_MAX_ENTRIES / 2);
	__type(key, struct arg_count_key);
	__type(value, struct arg_count);
} arg_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LEARN_STATS);
	__type(key, __u32);
	__type(value, __u64);
} learn_stats SEC(".maps");

static __always_inline void count_stat(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&learn_stats, &stat);
	if (c)
		*c += 1;
}

/* Sets the bit in the namespace's bitmap; false when the namespace has no room. */
static __always_inline bool record(__u64 nsid, __u32 mntns, bool compat, bool workload, __u32 word, __u64 mask)
{
	struct learned *l = bpf_map_lookup_elem(&syscalls_by_mntns, &nsid);
	if (!l) {
		__u32 zero = 0;
		struct learned *fresh = bpf_map_lookup_elem(&fresh_entry, &zero);
		if (!fresh)
			return false;
		fresh->mntns = mntns;
		fresh->first_ns = bpf_ktime_get_ns();
		/* EEXIST when another CPU was first: fine, look it up again. */
		bpf_map_update_elem(&syscalls_by_mntns, &nsid, fresh, BPF_NOEXIST);
		l = bpf_map_lookup_elem(&syscalls_by_mntns, &nsid);
		if (!l) {
			count_stat(LEARN_NS_FULL);
			return false;
		}
	}
	word &= LEARN_WORDS - 1;
	struct syscall_bitmap *b = workload ? &l->calls : &l->setup;
	__u64 *w = compat ? &b->compat[word] : &b->native[word];
	/* Read first: most bits are set already, and an atomic would dirty a line other CPUs read. */
	if (!(*w & mask))
		__sync_fetch_and_or(w, mask);
	return true;
}

/*
 * The namespace's id, or its number on kernels that do not number namespaces. A direct read where
 * the kernel has ns_common.ns_id (6.9+): this runs on every syscall.
 */
static __always_inline __u64 namespace_key(struct task_struct *task, __u32 mntns)
{
	struct mnt_namespace *ns = task->nsproxy->mnt_ns;
	__u64 id = bpf_core_field_exists(ns->ns.ns_id) ? ns->ns.ns_id : mntns_id(task);
	return id ? id : mntns;
}

static __always_inline bool skip_namespace(struct task_struct *task, struct learn_control *ctl,
					   __u32 mntns)
{
	if (ctl->ignore_mntns && mntns == ctl->ignore_mntns)
		return true;
	return skip_task(task, bpf_get_current_pid_tgid() >> 32);
}

/* Argument index of the call (x86_64: di si dx r10 r8 r9; ia32: bx cx dx si di bp). */
static __always_inline __u64 syscall_arg(struct pt_regs *regs, bool compat, __u32 index)
{
#if defined(__TARGET_ARCH_x86)
	if (compat) {
		switch (index) {
		case 0: return (__u32)BPF_CORE_READ(regs, bx);
		case 1: return (__u32)BPF_CORE_READ(regs, cx);
		case 2: return (__u32)BPF_CORE_READ(regs, dx);
		case 3: return (__u32)BPF_CORE_READ(regs, si);
		case 4: return (__u32)BPF_CORE_READ(regs, di);
		default: return (__u32)BPF_CORE_READ(regs, bp);
		}
	}
	switch (index) {
	case 0: return BPF_CORE_READ(regs, di);
	case 1: return BPF_CORE_READ(regs, si);
	case 2: return BPF_CORE_READ(regs, dx);
	case 3: return BPF_CORE_READ(regs, r10);
	case 4: return BPF_CORE_READ(regs, r8);
	default: return BPF_CORE_READ(regs, r9);
	}
#elif defined(__TARGET_ARCH_arm64)
	/* x0 is overwritten by the result; the entry keeps it in orig_x0. */
	if (index == 0)
		return BPF_CORE_READ(regs, orig_x0);
	return BPF_CORE_READ(regs, regs[index & 7]);
#else
	return 0;
#endif
}

/* Adds one watched argument's value to the namespace's set. */
static __always_inline void learn_value(__u64 nsid, struct arg_rule *rule, __u32 slot, struct task_seen *ts,
					struct pt_regs *regs, bool compat)
{
	slot &= ARG_SLOTS - 1;
	__u64 value = syscall_arg(regs, compat, rule->index);
	if (rule->in_memory) {
		__u64 field = 0;
		if (!value || bpf_probe_read_user(&field, sizeof(field), (void *)value))
			return;
		value = field;
	}
	value &= rule->mask;
	if (ts && (ts->arg_valid & (1 << slot)) && ts->last_arg[slot] == value)
		return;  /* this task recorded it last time */
	struct arg_key key = { .nsid = nsid, .slot = slot, .value = value };
	if (!bpf_map_lookup_elem(&arg_values, &key)) {
		struct arg_count_key ck = { .nsid = nsid, .slot = slot };
		struct arg_count *c = bpf_map_lookup_elem(&arg_counts, &ck);
		if (!c) {
			struct arg_count zero = {};
			bpf_map_update_elem(&arg_counts, &ck, &zero, BPF_NOEXIST);
			c = bpf_map_lookup_elem(&arg_counts, &ck);
			if (!c) {
				count_stat(LEARN_ARG_FULL);
				return;
			}
		}
		if (c->count >= ARG_MAX_VALUES) {
			/* Racing CPUs may let a value or two past the bound; user space marks it too. */
			c->overflow = 1;
			count_stat(LEARN_ARG_OVERFLOW);
		} else {
			__u64 now = bpf_ktime_get_ns();
			if (bpf_map_update_elem(&arg_values, &key, &now, BPF_NOEXIST) == 0)
				__sync_fetch_and_add(&c->count, 1);
			else if (!bpf_map_lookup_elem(&arg_values, &key)) {
				count_stat(LEARN_ARG_FULL);
				return;
			}
		}
	}
	if (ts) {
		ts->last_arg[slot] = value;
		ts->arg_valid |= 1 << slot;
	}
}

/* Records every watched argument of this call (socket has two) in the namespace's value sets. */
static __always_inline void learn_argument(__u64 nsid, struct learn_control *ctl,
					   struct task_seen *ts, struct pt_regs *regs, long id, bool compat)
{
	for (__u32 i = 0; i < ARG_SLOTS; i++) {
		struct arg_rule *rule = &ctl->rules[i];
		if (rule->enabled && rule->nr == (__u32)id && rule->compat == compat)
			learn_value(nsid, rule, i, ts, regs, compat);
	}
}

static __always_inline bool watched(struct learn_control *ctl, bool compat, __u32 word, __u64 mask)
{
	word &= LEARN_WORDS - 1;
	return (compat ? ctl->watch_compat[word] : ctl->watch_native[word]) & mask;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(learn_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 zero = 0;
	struct learn_control *ctl = bpf_map_lookup_elem(&learn_control, &zero);
	if (!ctl)
		return 0;
	if ((unsigned long)id >= LEARN_BITS) {
		count_stat(LEARN_OUT_OF_RANGE);
		return 0;
	}
	__u32 word = (__u32)id / 64;
	__u64 mask = 1ULL << (id & 63);
	__u32 mntns = task->nsproxy->mnt_ns->ns.inum;
	__u64 nsid = namespace_key(task, mntns);
	__u32 gen = ctl->generation;
	bool compat = compat_call(task);

	struct task_seen *ts = bpf_task_storage_get(&task_seen, task, 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts) {
		/* No cache: correct but slower, every call takes the hash path. */
		count_stat(LEARN_NO_STORAGE);
		if (!mntns || skip_namespace(task, ctl, mntns))
			return 0;
		bool workload = runs_own_namespace_file(task);
		record(nsid, mntns, compat, workload, word, mask);
		if (workload && watched(ctl, compat, word, mask))
			learn_argument(nsid, ctl, 0, regs, id, compat);
		return 0;
	}
	__u64 *seen = compat ? &ts->seen.compat[word & (LEARN_WORDS - 1)]
			     : &ts->seen.native[word & (LEARN_WORDS - 1)];
	if (ts->nsid == nsid && ts->generation == gen) {
		if (ts->skip)
			return 0;
		if (*seen & mask) {
			/* the fast path */
			if (ts->phase_workload && watched(ctl, compat, word, mask))
				learn_argument(nsid, ctl, ts, regs, id, compat);
			return 0;
		}
	} else {
		/* First call, after an exec, new namespace (setns/unshare) or a reset: start over. */
		__builtin_memset(&ts->seen, 0, sizeof(ts->seen));
		ts->nsid = nsid;
		ts->mntns = mntns;
		ts->generation = gen;
		ts->arg_valid = 0;
		ts->skip = !mntns || skip_namespace(task, ctl, mntns);
		if (ts->skip)
			return 0;
		ts->phase_workload = ts->workload || runs_own_namespace_file(task);
	}
	/* Not cached when the map is full, so a later call tries again once there is room. */
	if (record(nsid, mntns, compat, ts->phase_workload, word, mask))
		*seen |= mask;
	if (ts->phase_workload && watched(ctl, compat, word, mask))
		learn_argument(nsid, ctl, ts, regs, id, compat);
	return 0;
}

/*
 * Whether the task's root directory is the host's. A runtime started in a mount namespace of its
 * own that still has the host's root (crun on a hybrid cgroup host runs in a private copy of the
 * host's mounts without the cgroup v2 one) is not a container: its exec is the runtime's, not a
 * workload's. A container's root is its own file system, whatever its mounts.
 */
static __always_inline bool host_root(struct task_struct *task, struct learn_control *ctl)
{
	if (!ctl->host_root_ino)
		return false;
	struct dentry *root = task->fs->root.dentry;
	if (!root)
		return false;
	struct inode *inode = root->d_inode;
	return inode && inode->i_ino == ctl->host_root_ino && stat_dev(inode) == ctl->host_root_dev;
}

/*
 * The workload mark: an exec in a namespace other than the host's, with a root other than the host's. Every exec restarts the
 * task's cache, so the calls of the new program are recorded in the phase it now belongs to.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(learn_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 zero = 0;
	struct learn_control *ctl = bpf_map_lookup_elem(&learn_control, &zero);
	if (!ctl)
		return 0;
	__u32 mntns = task->nsproxy->mnt_ns->ns.inum;
	bool workload = mntns && mntns != ctl->host_mntns && !host_root(task, ctl);
	struct task_seen *ts = bpf_task_storage_get(&task_seen, task, 0,
						    workload ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!ts)
		return 0;
	ts->nsid = 0;
	if (workload)
		ts->workload = 1;
	return 0;
}

/* Children of the workload are the workload, before and after they exec. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(learn_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_seen *pts = bpf_task_storage_get(&task_seen, parent, 0, 0);
	if (!pts || !pts->workload)
		return 0;
	struct task_seen *cts = bpf_task_storage_get(&task_seen, child, 0,
						     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (cts) {
		cts->workload = 1;
		cts->nsid = 0;
	}
	return 0;
}
