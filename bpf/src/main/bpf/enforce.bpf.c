// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Enforcement of learned profiles: for every watched container (mount namespace), its allowed
 * syscalls (native and 32-bit apart), capabilities and executables are in kernel maps, and
 * three hooks check what its processes do. Only a violation leaves the kernel, as a
 * violation_event in the shared ring buffer; in enforce mode the process is also sent SIGKILL
 * (bpf_send_signal). The call that triggers the kill still runs: denial is seccomp's job.
 *
 *  - raw_tp/sys_enter: the syscall against the namespace's bitmap. Runs on every syscall of
 *    the host, so the fast path is a filter by namespace number (two array words): a task of a
 *    namespace that is neither watched nor recently announced unclassified returns at once. The
 *    others look up their task-local cache: per policy generation, whether the task is watched
 *    and a copy of its namespace's bitmaps.
 *  - tp_btf/cap_capable: the capability check against the namespace's expected checks.
 *  - tp_btf/sched_process_exec: the resolved executable path, hashed with a per-run secret seed,
 *    against the namespace's set of allowed path hashes.
 *
 * Which processes of a watched namespace are checked: those whose program was exec'd inside it
 * (and their children), whatever file it runs (a memfd too: fileless code); those whose exec was
 * not seen (they ran before the sensor loaded) when their executable lives on one of the
 * namespace's own mounts. A runtime's helpers that entered the namespace (runc init at container
 * start or `runc exec`, crun) were exec'd outside it and are not the workload: they are checked
 * from their exec on.
 *
 * Namespaces nobody classified yet (a container that just started): nothing waits for user space.
 * When user space asks for it (record_new), each exec in such a namespace is announced in the
 * enforce_notes ring, and what its workload does from then on (syscalls, capability checks) is
 * recorded per namespace in enforce_pending: complete bitmaps plus a bounded log of when and by
 * whom each first use happened. User space resolves the container and either installs its policy,
 * then judges the record and the announced execs against the profile (violations from the
 * workload's first syscall, reported late), or marks the namespace unwatched (a host service with
 * a private namespace, an unshare). Either way it deletes the record. If user space is slow or
 * gone, processes run on: at worst a record waits, bounded, in a map that goes with the programs.
 *
 * A reused namespace number never inherits a policy: every entry carries the namespace id and a
 * mismatch means "not watched".
 */
#include "path.bpf.h"
#include "capcheck.bpf.h"
#include "compat.bpf.h"
#include "exec_ns.bpf.h"

#define ENF_MAX_NS 4096
#define ENF_MAX_EXECS 65536
#define ENF_MAX_KNOWN 16384
#define ENF_MAX_PENDING 1024
#define DEFAULT_RATE_WINDOW_NS 1000000000ULL
#define DEFAULT_RATE_BURST 10
#define SIGKILL_NR 9
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* Watched namespaces by number; the value's ns_id says which namespace of that number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENF_MAX_NS);
	__type(key, __u32);
	__type(value, struct enforce_policy);
} enforce_policy SEC(".maps");

/* Written by user space with each policy; counters and rate limits changed here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENF_MAX_NS);
	__type(key, __u32);
	__type(value, struct enforce_state);
} enforce_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENF_MAX_EXECS);
	__type(key, struct enforce_exec_key);
	__type(value, __u8);
} enforce_execs SEC(".maps");

/* Namespaces user space classified as not watched (value: the namespace id). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ENF_MAX_KNOWN);
	__type(key, __u32);
	__type(value, __u64);
} enforce_known SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_control);
} enforce_control SEC(".maps");

/* Execs in namespaces not yet classified, for user space to classify and judge: struct enforce_exec_note + the path. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} enforce_notes SEC(".maps");

/*
 * What not yet classified namespaces did, by namespace id. A plain hash, not LRU: a full map
 * must not drop a namespace's record silently (ENF_PENDING_FULL counts what was not recorded);
 * user space deletes a record when it classifies the namespace or finds it gone.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENF_MAX_PENDING);
	__type(key, __u64);
	__type(value, struct enforce_pending);
} enforce_pending SEC(".maps");

/* A new record is built here (larger than the BPF stack); only ns_id, mntns and first_ns are ever written. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_pending);
} pending_fresh SEC(".maps");

/*
 * The fast path's filter, by namespace number (false positives only cost the slow path):
 * enforce_watch_bits has a bit per watched namespace (written by user space alone, whole);
 * enforce_new_slots has, per slot, the filter epoch of the last exec announced in an unclassified
 * namespace (written by the kernel alone). User space bumps enforce_control.filter_epoch every few
 * seconds, so an announced namespace passes the filter for one to two epochs: classification
 * takes milliseconds, and a watched namespace then has its bit.
 */
#define ENF_FILTER_BITS 65536
#define ENF_NEW_SLOTS 16384

struct enforce_watch_bits {
	__u64 w[ENF_FILTER_BITS / 64];
};

struct enforce_new_slots {
	__u32 epoch[ENF_NEW_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_watch_bits);
} enforce_watch_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_new_slots);
} enforce_new_slots SEC(".maps");

/*
 * Namespaces a task with a watched home moved into (unshare, setns, clone): written by the kernel
 * alone, never cleared (a stale bit only costs the slow path), so such a task passes the filter.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_watch_bits);
} enforce_moved_bits SEC(".maps");

/*
 * A mount namespace made by a task (unshare, clone(CLONE_NEWNS)) whose home is another: a program
 * exec'd in it keeps that home, so `unshare -m prog` stays under the policy it came from.
 */
struct enforce_ns_parent {
	__u64 ns_id;    /* the new namespace's id: a reused number is not its child */
	__u64 home_id;
	__u32 home_ns;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ENF_MAX_KNOWN);
	__type(key, __u32);
	__type(value, struct enforce_ns_parent);
} enforce_ns_parent SEC(".maps");

static __always_inline bool filter_bit(struct enforce_watch_bits *b, __u32 mntns)
{
	return b->w[(mntns >> 6) & (ENF_FILTER_BITS / 64 - 1)] & (1ULL << (mntns & 63));
}

/* Whether a task of this namespace may be watched or recorded (see above); true without a filter. */
static __always_inline bool may_matter(struct enforce_control *ctl, __u32 mntns)
{
	if (!ctl->filter_epoch)
		return true;
	__u32 zero = 0;
	struct enforce_watch_bits *wb = bpf_map_lookup_elem(&enforce_watch_bits, &zero);
	if (!wb || filter_bit(wb, mntns))
		return true;
	struct enforce_watch_bits *mb = bpf_map_lookup_elem(&enforce_moved_bits, &zero);
	if (!mb || filter_bit(mb, mntns))
		return true;
	struct enforce_new_slots *ns = bpf_map_lookup_elem(&enforce_new_slots, &zero);
	return !ns || ns->epoch[mntns & (ENF_NEW_SLOTS - 1)] + 1 >= ctl->filter_epoch;
}

/* An exec announced in an unclassified namespace: its tasks pass the filter for this epoch and the next. */
static __always_inline void announce(struct enforce_control *ctl, __u32 mntns)
{
	__u32 zero = 0;
	struct enforce_new_slots *ns = bpf_map_lookup_elem(&enforce_new_slots, &zero);
	if (ns && ctl->filter_epoch)
		ns->epoch[mntns & (ENF_NEW_SLOTS - 1)] = ctl->filter_epoch;
}

enum task_state { TASK_UNWATCHED = 0, TASK_WATCHED = 1, TASK_RUNTIME = 2, TASK_PENDING = 3 };

/*
 * Per task: the decision for its namespace in a policy generation, with the bitmaps to check
 * (watched), or the uses this task already put into its namespace's pending record (pending).
 */
struct enforce_task {
	__u64 ns_id;
	__u32 mntns;
	__u32 generation;
	__u32 workload_ns;   /* exec'd inside this watched namespace: a workload task whatever its executable */
	__u32 home_ns;       /* the namespace its program was exec'd in, or the one it came from (see enforce_exec): its policy follows it out */
	__u64 home_id;       /* that namespace's id */
	__u32 state;         /* enum task_state */
	__u32 policy_id;
	__u32 kill;
	__u32 policy_ns;     /* the namespace whose policy is checked (its own or its home): violations count there */
	__u64 caps_granted;
	__u64 caps_denied;
	__u64 native[ENF_SYSCALL_WORDS];
	__u64 compat[ENF_SYSCALL_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct enforce_task);
} enforce_tasks SEC(".maps");

enum enforce_stat {
	ENF_NO_STORAGE = 0,   /* checks made without the task cache (its allocation failed); such a task is not recorded while pending */
	ENF_PENDING_FULL = 1, /* uses of not yet classified namespaces not recorded: enforce_pending was full */
	ENF_NOTE_LOST = 2,    /* execs in not yet classified namespaces not announced: enforce_notes was full */
	ENF_NO_STATE = 3,     /* violations of a namespace without a state entry: reported without a rate limit */
	ENF_STATS = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ENF_STATS);
	__type(key, __u32);
	__type(value, __u64);
} enforce_stats SEC(".maps");

static __always_inline void count_stat(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&enforce_stats, &stat);
	if (c)
		*c += 1;
}

static __always_inline struct enforce_control *control(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&enforce_control, &zero);
}

/* Whether user space has not classified the namespace yet (no policy: checked before). */
static __always_inline bool unclassified(__u32 mntns, __u64 id)
{
	__u64 *known = bpf_map_lookup_elem(&enforce_known, &mntns);
	return !known || *known != id;
}

/*
 * The namespace's policy when this task is one of its workload tasks, else NULL (state says why:
 * TASK_PENDING for a workload task of a namespace to record until it is classified).
 */
static __always_inline struct enforce_policy *policy_for(struct task_struct *task, __u32 mntns, __u64 id,
							 __u32 workload_ns, bool record_new, __u32 *state)
{
	*state = TASK_UNWATCHED;
	struct enforce_policy *p = bpf_map_lookup_elem(&enforce_policy, &mntns);
	/* ns_id 0: user space could not read the namespace's id (old kernel): trust the number. */
	if (p && p->ns_id && p->ns_id != id)
		p = NULL;
	if (!p && (!record_new || !unclassified(mntns, id)))
		return NULL;
	bool workload = workload_ns == mntns || exec_ns_is(task, exec_ns_key(mntns, id));
	if (!workload) {
		*state = TASK_RUNTIME;
		return NULL;
	}
	*state = p ? TASK_WATCHED : TASK_PENDING;
	return p;
}

/* The policy of the watched namespace the task was exec'd in, while that namespace lives; else NULL. */
static __always_inline struct enforce_policy *policy_of(__u32 mntns, __u64 id)
{
	if (!mntns)
		return NULL;
	struct enforce_policy *p = bpf_map_lookup_elem(&enforce_policy, &mntns);
	if (p && p->ns_id && p->ns_id != id)
		return NULL;
	return p;
}

static __always_inline struct enforce_policy *home_policy(struct enforce_task *ts)
{
	return policy_of(ts->home_ns, ts->home_id);
}

static __always_inline void decide(struct enforce_control *ctl, struct task_struct *task, struct enforce_task *ts,
				   __u32 mntns)
{
	__u32 state;
	__u64 id = mntns_id(task);
	struct enforce_policy *p = policy_for(task, mntns, id, ts->workload_ns, ctl->record_new, &state);
	struct enforce_policy *own = p;
	/*
	 * Not a workload task of a watched namespace here, but exec'd in one (or a child of such): it
	 * left by unshare/setns/clone, and stays under its home's policy until it execs in a namespace
	 * with a policy of its own. A runtime's helpers were exec'd outside: they have no home.
	 */
	if (state != TASK_WATCHED) {
		struct enforce_policy *hp = home_policy(ts);
		if (hp) {
			p = hp;
			state = TASK_WATCHED;
		}
	}
	ts->ns_id = id;
	ts->mntns = mntns;
	ts->generation = ctl->generation;
	ts->state = state;
	if (!p) {
		/* pending: nothing of the namespace's record is this task's yet */
		ts->caps_granted = 0;
		ts->caps_denied = 0;
		__builtin_memset(ts->native, 0, sizeof(ts->native));
		__builtin_memset(ts->compat, 0, sizeof(ts->compat));
		return;
	}
	ts->policy_id = p->policy_id;
	ts->policy_ns = p == own ? mntns : ts->home_ns;
	ts->kill = p->kill;
	ts->caps_granted = p->caps_granted;
	ts->caps_denied = p->caps_denied;
	__builtin_memcpy(ts->native, p->native, sizeof(ts->native));
	__builtin_memcpy(ts->compat, p->compat, sizeof(ts->compat));
}

/* The task's cached decision, refreshed when its namespace or the policy generation changed; NULL without storage. */
static __always_inline struct enforce_task *task_decision(struct enforce_control *ctl, struct task_struct *task,
							  __u32 mntns)
{
	struct enforce_task *ts = bpf_task_storage_get(&enforce_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts)
		return NULL;
	if (ts->mntns != mntns || ts->generation != ctl->generation)
		decide(ctl, task, ts, mntns);
	return ts;
}

/* The pending record of the task's namespace, created at its first use; NULL when the map is full. */
static __always_inline struct enforce_pending *pending_record(struct enforce_task *ts)
{
	__u64 key = ts->ns_id ? ts->ns_id : ts->mntns;
	struct enforce_pending *p = bpf_map_lookup_elem(&enforce_pending, &key);
	if (p)
		return p;
	__u32 zero = 0;
	struct enforce_pending *fresh = bpf_map_lookup_elem(&pending_fresh, &zero);
	if (!fresh)
		return NULL;
	fresh->ns_id = ts->ns_id;
	fresh->mntns = ts->mntns;
	fresh->first_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&enforce_pending, &key, fresh, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&enforce_pending, &key);
	if (!p)
		count_stat(ENF_PENDING_FULL);
	return p;
}

/* Logs a first use of the namespace, while the log has room (log_len keeps counting past it). */
static __always_inline void log_use(struct enforce_pending *p, __u8 kind, __u64 nr)
{
	__u64 i = __sync_fetch_and_add(&p->log_len, 1);
	if (i >= ENF_PENDING_LOG)
		return;
	struct enforce_pending_use *u = &p->log[i];
	u->pid = bpf_get_current_pid_tgid() >> 32;
	u->nr = nr;
	u->kind = kind;
	u->ts_ns = bpf_ktime_get_ns();
}

/*
 * Sets the bit in the task's words (its own "already recorded", no shared cache line) and, when
 * new there, in the namespace's record; logs the namespace's first use.
 */
static __always_inline void record_use(struct enforce_task *ts, __u64 *mine, __u32 word, __u64 mask, __u8 kind,
				       __u64 nr)
{
	if (*mine & mask)
		return;
	*mine |= mask;
	struct enforce_pending *p = pending_record(ts);
	if (!p)
		return;
	__u64 *ns_word;
	if (kind == PENDING_SYSCALL)
		ns_word = &p->native[word & (ENF_SYSCALL_WORDS - 1)];
	else if (kind == PENDING_COMPAT)
		ns_word = &p->compat[word & (ENF_SYSCALL_WORDS - 1)];
	else if (kind == PENDING_CAP_GRANTED)
		ns_word = &p->caps_granted;
	else
		ns_word = &p->caps_denied;
	if (*ns_word & mask)
		return;  /* another task of the namespace was first */
	if (__sync_fetch_and_or(ns_word, mask) & mask)
		return;
	log_use(p, kind, nr);
}

static __always_inline void pending_call(struct task_struct *task, struct enforce_task *ts, long id)
{
	if ((unsigned long)id >= ENF_SYSCALL_BITS) {
		struct enforce_pending *p = pending_record(ts);
		if (p)
			__sync_fetch_and_add(&p->out_of_range, 1);
		return;
	}
	__u32 word = (id >> 6) & (ENF_SYSCALL_WORDS - 1);
	__u64 mask = 1ULL << (id & 63);
	if (compat_call(task))
		record_use(ts, &ts->compat[word], word, mask, PENDING_COMPAT, id);
	else
		record_use(ts, &ts->native[word], word, mask, PENDING_SYSCALL, id);
}

/*
 * Counts a violation and decides whether it gets a record: the first of its number (a syscall
 * or capability not reported before in this namespace) always does; the others while the
 * namespace and kind are within rate_burst records per window. Held-back ones are counted and the
 * count rides on the next record.
 */
static __always_inline bool rate_allows(struct enforce_control *ctl, struct enforce_rate *r, bool first,
					__u64 *suppressed, __u64 *total)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 window = ctl->rate_window_ns ? ctl->rate_window_ns : DEFAULT_RATE_WINDOW_NS;
	__u64 burst = ctl->rate_burst ? ctl->rate_burst : DEFAULT_RATE_BURST;
	*total = __sync_add_and_fetch(&r->total, 1);
	/* Races between CPUs only blur the window; the counts stay exact (atomics). */
	if (now - r->window_start_ns >= window) {
		r->window_start_ns = now;
		r->sent = 0;
	}
	if (!first && r->sent >= burst) {
		__sync_fetch_and_add(&r->pending, 1);
		__sync_fetch_and_add(&r->suppressed, 1);
		return false;
	}
	__sync_fetch_and_add(&r->sent, 1);
	*suppressed = __sync_lock_test_and_set(&r->pending, 0);
	return true;
}

/* Sets bit n of words; true when it was not set before (the first report of that number). */
static __always_inline bool first_report(__u64 *words, __u64 n)
{
	if (n >= ENF_SYSCALL_BITS)
		return false;
	__u64 mask = 1ULL << (n & 63);
	return !(__sync_fetch_and_or(&words[(n >> 6) & (ENF_SYSCALL_WORDS - 1)], mask) & mask);
}

/*
 * Kills when the policy says so for this kind, then applies the rate limit; false = no record.
 * Sets e's killed, suppressed and total (fill_violation leaves them).
 */
static __always_inline bool account(struct enforce_control *ctl, __u32 mntns, __u32 kill, __u32 kind, __u64 number,
				    bool compat, struct violation_event *e)
{
	e->killed = 0;
	if (kill & (1U << kind))
		e->killed = bpf_send_signal(SIGKILL_NR) == 0;
	e->suppressed = 0;
	e->total = 0;
	struct enforce_state *st = bpf_map_lookup_elem(&enforce_state, &mntns);
	if (!st) {
		count_stat(ENF_NO_STATE);
		return true;
	}
	bool first = false;
	struct enforce_rate *r;
	if (kind == VIOL_SYSCALL) {
		first = first_report(compat ? st->reported_compat : st->reported_native, number);
		r = &st->rate[VIOL_SYSCALL];
	} else if (kind == VIOL_CAP) {
		__u64 mask = 1ULL << (number & 63);
		first = !(__sync_fetch_and_or(&st->reported_caps, mask) & mask);
		r = &st->rate[VIOL_CAP];
	} else {
		r = &st->rate[VIOL_EXEC];
	}
	return rate_allows(ctl, r, first, &e->suppressed, &e->total);
}

static __always_inline void fill_violation(struct violation_event *e, struct task_struct *task, __u32 kind,
					   __s32 syscall_nr, __u32 policy_id)
{
	fill_header(&e->h, task, EVT_VIOLATION, syscall_nr);
	e->policy_id = policy_id;
	e->kind = kind;
	e->cap = 0;
	e->check_ret = 0;
	e->path_len = 0;
	e->compat = 0;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
}

static __always_inline void syscall_violation(struct enforce_control *ctl, struct task_struct *task, __u32 mntns,
					      __u32 policy_id, __u32 kill, long id, bool compat)
{
	struct violation_event e = {};
	if (!account(ctl, mntns, kill, VIOL_SYSCALL, (__u64)id, compat, &e))
		return;
	fill_violation(&e, task, VIOL_SYSCALL, (__s32)id, policy_id);
	e.compat = compat;
	e.h.size = sizeof(e);
	emit(&e, sizeof(e));
}

static __always_inline bool syscall_allowed(const __u64 *native, const __u64 *compat_words, long id, bool compat)
{
	if ((unsigned long)id >= ENF_SYSCALL_BITS)
		return false;  /* x32 calls (bit 30) and bogus numbers are never learned */
	__u64 w = compat ? compat_words[(id >> 6) & (ENF_SYSCALL_WORDS - 1)] : native[(id >> 6) & (ENF_SYSCALL_WORDS - 1)];
	return w & (1ULL << (id & 63));
}

SEC("raw_tp/sys_enter")
int BPF_PROG(enforce_sys_enter, struct pt_regs *regs, long id)
{
	struct enforce_control *ctl = control();
	if (!ctl)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 mntns = task->nsproxy->mnt_ns->ns.inum;
	if (!may_matter(ctl, mntns))
		return 0;  /* the fast path */
	struct enforce_task *ts = task_decision(ctl, task, mntns);
	if (ts) {
		if (ts->state != TASK_WATCHED) {
			if (ts->state == TASK_PENDING)
				pending_call(task, ts, id);
			return 0;
		}
		bool compat = compat_call(task);
		if (!syscall_allowed(ts->native, ts->compat, id, compat))
			syscall_violation(ctl, task, ts->policy_ns, ts->policy_id, ts->kill, id, compat);
		return 0;
	}
	/* No cache: correct but slower, the policy map every time. */
	count_stat(ENF_NO_STORAGE);
	__u32 state;
	struct enforce_policy *p = policy_for(task, mntns, mntns_id(task), 0, false, &state);
	if (!p)
		return 0;
	bool compat = compat_call(task);
	if (!syscall_allowed(p->native, p->compat, id, compat))
		syscall_violation(ctl, task, mntns, p->policy_id, p->kill, id, compat);
	return 0;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(enforce_cap, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct enforce_control *ctl = control();
	if (!ctl)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	if (!mntns || !may_matter(ctl, mntns))
		return 0;  /* exiting (nsproxy gone), or neither watched nor recorded */
	struct enforce_task *ts = task_decision(ctl, task, mntns);
	__u64 granted, denied;
	__u32 policy_id, kill;
	if (ts) {
		if (ts->state == TASK_PENDING) {
			if (cap >= 0 && cap <= CAP_MAX && own_capability_use(ctx, task, cred, cap)) {
				__u64 bit = 1ULL << cap;
				if (ret == 0)
					record_use(ts, &ts->caps_granted, 0, bit, PENDING_CAP_GRANTED, cap);
				else
					record_use(ts, &ts->caps_denied, 0, bit, PENDING_CAP_DENIED, cap);
			}
			return 0;
		}
		if (ts->state != TASK_WATCHED)
			return 0;
		granted = ts->caps_granted;
		denied = ts->caps_denied;
		policy_id = ts->policy_id;
		kill = ts->kill;
		mntns = ts->policy_ns;
	} else {
		count_stat(ENF_NO_STORAGE);
		__u32 state;
		struct enforce_policy *p = policy_for(task, mntns, mntns_id(task), 0, false, &state);
		if (!p)
			return 0;
		granted = p->caps_granted;
		denied = p->caps_denied;
		policy_id = p->policy_id;
		kill = p->kill;
	}
	if (cap < 0 || cap > CAP_MAX)
		return 0;
	__u64 bit = 1ULL << cap;
	/* A granted check is expected when learned granted; a denied one when learned either way. */
	if ((ret == 0 ? granted : granted | denied) & bit)
		return 0;
	if (!own_capability_use(ctx, task, cred, cap))
		return 0;
	struct violation_event e = {};
	if (!account(ctl, mntns, kill, VIOL_CAP, cap, false, &e))
		return 0;
	fill_violation(&e, task, VIOL_CAP, current_syscall(task), policy_id);
	e.cap = cap;
	e.check_ret = ret;
	e.h.size = sizeof(e);
	emit(&e, sizeof(e));
	return 0;
}

struct hash_ctx {
	__u32 start;  /* the path's offset in path_buf (resolve_path) */
	__u32 len;
	__u64 h;
};

static long hash_step(__u32 i, void *data)
{
	struct hash_ctx *c = data;
	char *buf = get_path_buf();
	if (!buf || i >= c->len)
		return 1;
	__u8 b = buf[(c->start + i) & (2 * PATH_LEN - 1)];
	c->h = (c->h ^ b) * FNV_PRIME;
	return 0;
}

/*
 * FNV-1a 64 of the path resolve_path left in path_buf at start, its offset basis xor a secret
 * seed (user space computes the same for the learned paths).
 */
static __always_inline __u64 path_hash(__u32 start, __u32 len, __u64 seed)
{
	struct hash_ctx c = { .start = start, .len = len, .h = FNV_OFFSET ^ seed };
	bpf_loop(PATH_LEN, hash_step, &c, 0);
	return c.h;
}

/* Announces an exec in a namespace not yet classified; nothing waits for the answer. */
static __always_inline void note_exec(struct enforce_control *ctl, struct task_struct *task, const char *path,
				      __u32 start, __u32 len)
{
	char *rec = get_scratch();
	if (!rec)
		return;
	struct enforce_exec_note *n = (struct enforce_exec_note *)rec;
	fill_header(&n->h, task, EVT_VIOLATION, -1);
	n->path_hash = path_hash(start, len, ctl->hash_seed);
	n->path_len = len;
	n->pad = 0;
	__u32 size = sizeof(*n) + len + 1;
	if (size > sizeof(*n) + PATH_LEN)
		return;
	bpf_probe_read_kernel(rec + sizeof(*n), (len + 1) & (PATH_LEN - 1), path);
	n->h.size = size;
	/* Woken at once: every ms before classification is a ms of late reports. */
	if (bpf_ringbuf_output(&enforce_notes, rec, size & (SCRATCH_SIZE - 1), BPF_RB_FORCE_WAKEUP) != 0)
		count_stat(ENF_NOTE_LOST);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(enforce_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct enforce_control *ctl = control();
	if (!ctl)
		return 0;
	__u32 mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	__u64 id = mntns_id(task);
	exec_ns_record(task, exec_ns_key(mntns, id));
	struct enforce_task *ts = bpf_task_storage_get(&enforce_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		ts->generation = 0;  /* a new executable: decide again at the next syscall */
	char *buf = get_path_buf();
	if (!buf)
		return 0;
	struct file *file = BPF_CORE_READ(bprm, file);
	__u32 start = resolve_path(task, &file->f_path, buf) & (PATH_LEN - 1);
	__u32 len = (PATH_LEN - 1 - start) & (PATH_LEN - 1);
	const char *path = buf + start;

	struct enforce_policy *p = bpf_map_lookup_elem(&enforce_policy, &mntns);
	if (!p || (p->ns_id && p->ns_id != id)) {
		if (ctl->record_new && mntns && unclassified(mntns, id)) {
			if (ts)
				ts->workload_ns = mntns;  /* its calls and its children's are recorded from here on */
			announce(ctl, mntns);
			note_exec(ctl, task, path, start, len);
		}
		/*
		 * A namespace without a policy of its own: made by a task from another (unshare -m
		 * prog), the program's home is that one; entered (setns), it keeps its own home while
		 * that has a policy; else its home is here (a container's workload is exec'd before
		 * its policy is installed).
		 */
		if (!ts)
			return 0;
		struct enforce_ns_parent *np = bpf_map_lookup_elem(&enforce_ns_parent, &mntns);
		if (np && np->ns_id == id && policy_of(np->home_ns, np->home_id)) {
			ts->home_ns = np->home_ns;
			ts->home_id = np->home_id;
		} else if (!home_policy(ts)) {
			ts->home_ns = mntns;
			ts->home_id = id;
		}
		p = home_policy(ts);
		if (!p || ts->home_ns == mntns)
			return 0;
		mntns = ts->home_ns;  /* what it execs is judged by its home's policy */
	} else if (ts) {
		ts->workload_ns = mntns;
		ts->home_ns = mntns;
		ts->home_id = id;
	}
	struct enforce_exec_key key = { .policy_id = p->policy_id, .path_len = len,
					.hash = path_hash(start, len, ctl->hash_seed) };
	if (bpf_map_lookup_elem(&enforce_execs, &key))
		return 0;

	char *rec = get_scratch();
	if (!rec)
		return 0;
	struct violation_event *e = (struct violation_event *)rec;
	__u32 kill = p->kill;
	__u32 policy_id = p->policy_id;
	if (!account(ctl, mntns, kill, VIOL_EXEC, 0, false, e))
		return 0;
	fill_violation(e, task, VIOL_EXEC, -1, policy_id);
	e->path_len = len + 1;
	bpf_probe_read_kernel(rec + sizeof(*e), (len + 1) & (PATH_LEN - 1), path);
	emit_scratch(rec, sizeof(*e) + len + 1);
	return 0;
}

/* The task's namespace passes the filter from now on (its home's policy follows it there). */
static __always_inline void mark_moved(struct task_struct *task, struct enforce_task *home, bool made)
{
	__u32 mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	if (!mntns || mntns == home->home_ns)
		return;
	struct enforce_control *ctl = control();
	/* Only a home that has a policy, or may get one, needs its tasks to pass the filter. */
	if (!ctl || !(home_policy(home) || (ctl->record_new && unclassified(home->home_ns, home->home_id))))
		return;
	if (made) {
		struct enforce_ns_parent np = { .ns_id = mntns_id(task), .home_id = home->home_id, .home_ns = home->home_ns };
		bpf_map_update_elem(&enforce_ns_parent, &mntns, &np, BPF_ANY);
	}
	__u32 zero = 0;
	struct enforce_watch_bits *mb = bpf_map_lookup_elem(&enforce_moved_bits, &zero);
	if (!mb)
		return;
	__u64 mask = 1ULL << (mntns & 63);
	__u64 *w = &mb->w[(mntns >> 6) & (ENF_FILTER_BITS / 64 - 1)];
	if (!(*w & mask))
		__sync_fetch_and_or(w, mask);
}

/* A child runs its parent's program: a workload task's children are workload tasks, and where it was exec'd is theirs. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(enforce_fork, struct task_struct *parent, struct task_struct *child)
{
	exec_ns_inherit(parent, child);
	struct enforce_task *pt = bpf_task_storage_get(&enforce_tasks, parent, 0, 0);
	if (!pt || (!pt->workload_ns && !pt->home_ns))
		return 0;
	__u32 workload_ns = pt->workload_ns;
	__u32 home_ns = pt->home_ns;
	__u64 home_id = pt->home_id;
	struct enforce_task *ct = bpf_task_storage_get(&enforce_tasks, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ct) {
		ct->workload_ns = workload_ns;
		ct->home_ns = home_ns;
		ct->home_id = home_id;
	}
	/* clone(CLONE_NEWNS) made it a namespace of its own (copy_process did, before this) */
	if (ct && home_ns && BPF_CORE_READ(child, nsproxy, mnt_ns, ns.inum) != BPF_CORE_READ(parent, nsproxy, mnt_ns, ns.inum))
		mark_moved(child, ct, true);
	return 0;
}

/* After unshare or setns: a task with a watched home may be in another namespace now. */
static __always_inline void after_move(bool made)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct enforce_task *ts = bpf_task_storage_get(&enforce_tasks, task, 0, 0);
	if (ts && ts->home_ns)
		mark_moved(task, ts, made);
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int enforce_unshare_exit(void *ctx)
{
	after_move(true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setns")
int enforce_setns_exit(void *ctx)
{
	after_move(false);
	return 0;
}
