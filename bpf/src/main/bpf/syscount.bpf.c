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
 */
#include "common.bpf.h"
#include "compat.bpf.h"

#define LEARN_BITS 1024
#define LEARN_WORDS (LEARN_BITS / 64)
#define LEARN_MAX_NS 4096

struct syscall_bitmap {
	__u64 native[LEARN_WORDS];
	__u64 compat[LEARN_WORDS];
};

/*
 * A namespace's number (inum) is reused once the namespace is freed; its 64-bit id is not
 * (unique per boot). The entry remembers the id so that a new namespace with an old number does
 * not inherit a dead container's syscalls.
 */
struct learned {
	__u64 ns_id;                 /* 0 when the kernel has no such id (reuse goes undetected) */
	struct syscall_bitmap calls;
};

/*
 * Learned so far, by namespace number. A plain hash, not LRU: a full map must not evict a
 * namespace silently; it counts LEARN_NS_FULL instead and the learner deletes namespaces it is
 * done with.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LEARN_MAX_NS);
	__type(key, __u32);
	__type(value, struct learned);
} syscalls_by_mntns SEC(".maps");

/* What user space changes at run time (key 0). */
struct learn_control {
	__u32 generation;    /* bumped on reset or config change: every task cache starts over */
	__u32 ignore_mntns;  /* not learned (the host's, when only containers are wanted); 0 = none */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct learn_control);
} learn_control SEC(".maps");

/* Per task: what this task already put into its namespace's bitmap in this generation. */
struct task_seen {
	__u32 mntns;
	__u32 generation;
	__u32 skip;          /* filtered out (our own process, pid/mntns filter, ignored namespace) */
	__u32 pad;
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
	LEARN_NS_REUSED = 3,     /* an entry restarted: its number now names a new namespace */
	LEARN_STATS = 4,
};

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
static __always_inline bool record(struct task_struct *task, __u32 mntns, bool compat, __u32 word,
				   __u64 mask)
{
	__u64 id = mntns_id(task);
	struct learned *l = bpf_map_lookup_elem(&syscalls_by_mntns, &mntns);
	if (!l) {
		struct learned fresh = { .ns_id = id };
		/* EEXIST when another CPU was first: fine, look it up again. */
		bpf_map_update_elem(&syscalls_by_mntns, &mntns, &fresh, BPF_NOEXIST);
		l = bpf_map_lookup_elem(&syscalls_by_mntns, &mntns);
		if (!l) {
			count_stat(LEARN_NS_FULL);
			return false;
		}
	}
	__u64 old_id = l->ns_id;
	if (old_id != id && __sync_val_compare_and_swap(&l->ns_id, old_id, id) == old_id) {
		/*
		 * A dead namespace's entry: start over. Only the CPU that won the swap clears;
		 * a bit another task of the new namespace set in between may be lost (this is
		 * the namespace's very first syscalls).
		 */
		__builtin_memset(&l->calls, 0, sizeof(l->calls));
		count_stat(LEARN_NS_REUSED);
	}
	word &= LEARN_WORDS - 1;
	__u64 *w = compat ? &l->calls.compat[word] : &l->calls.native[word];
	/* Read first: most bits are set already, and an atomic would dirty a line other CPUs read. */
	if (!(*w & mask))
		__sync_fetch_and_or(w, mask);
	return true;
}

static __always_inline bool skip_namespace(struct task_struct *task, struct learn_control *ctl,
					   __u32 mntns)
{
	if (ctl->ignore_mntns && mntns == ctl->ignore_mntns)
		return true;
	return skip_task(task, bpf_get_current_pid_tgid() >> 32);
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
	__u32 gen = ctl->generation;
	bool compat = compat_call(task);

	struct task_seen *ts = bpf_task_storage_get(&task_seen, task, 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts) {
		/* No cache: correct but slower, every call takes the hash path. */
		count_stat(LEARN_NO_STORAGE);
		if (!mntns || skip_namespace(task, ctl, mntns))
			return 0;
		record(task, mntns, compat, word, mask);
		return 0;
	}
	__u64 *seen = compat ? &ts->seen.compat[word & (LEARN_WORDS - 1)]
			     : &ts->seen.native[word & (LEARN_WORDS - 1)];
	if (ts->mntns == mntns && ts->generation == gen) {
		if (ts->skip || (*seen & mask))
			return 0;  /* the fast path */
	} else {
		/* First call, new namespace (setns/unshare) or a reset: start over. */
		__builtin_memset(&ts->seen, 0, sizeof(ts->seen));
		ts->mntns = mntns;
		ts->generation = gen;
		ts->skip = !mntns || skip_namespace(task, ctl, mntns);
		if (ts->skip)
			return 0;
	}
	/* Not cached when the map is full, so a later call tries again once there is room. */
	if (record(task, mntns, compat, word, mask))
		*seen |= mask;
	return 0;
}
