// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Capability sensor: every capability check (tp_btf/cap_capable, kernel >= 6.14), in the
 * context of the task making it.
 *
 * The kernel checks capabilities very often, most of them silently (noaudit probes), so two
 * things happen here and only the second reaches the ring buffer:
 *  - cap_usage: per mount namespace, a bitmap of capabilities checked and granted / denied,
 *    for the learner; updated on every check, no record. Checks of a container runtime setting
 *    the container up and checks made with borrowed credentials (overlayfs' mounter's) are left
 *    out: they say nothing about what the workload needs. Set-up is told by where the task's
 *    program was exec'd (exec_mntns): a runtime's init (runc init, crun) is exec'd on the host or
 *    in a private copy of its mounts, then enters or creates the container's namespace and works
 *    there until it execs the workload; every workload program, a `docker exec`'d one included,
 *    is exec'd in the container's namespace. Not what file it runs: a workload's program run from
 *    a memfd (fexecve, fileless code, packers) lies on no mount namespace, as the runtime's memfd
 *    copy of itself does.
 *  - cap_event: the first check of a capability with a given outcome by a process image is
 *    reported at once (first use and first denial are what rules care about); repeats within
 *    the report interval are only counted, and the count rides on the next record of that key.
 */
#include "capcheck.bpf.h"
#include "compat.bpf.h"
#include "exec_ns.bpf.h"

#define DEFAULT_REPORT_INTERVAL_NS 1000000000ULL
struct cap_key {
	__u64 start_time;  /* with tgid: a reused pid is a new process */
	__u32 tgid;
	__u32 exec_id;     /* a new program image (a setuid binary, say) starts afresh */
	__u32 cap;
	__u32 denied;
};

struct cap_seen {
	__u64 last_report_ns;
	__u64 suppressed;
};

/* LRU: processes come and go without telling us; old keys age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cap_key);
	__type(value, struct cap_seen);
} cap_dedup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cap_tuning);
} cap_tuning SEC(".maps");

/*
 * LRU rather than a plain hash: when full, the namespaces not seen for longest (mostly dead
 * ones) go, instead of new containers not being recorded at all. Never silently: every entry
 * made here is counted (cap_usage_counts[0]), user space counts its deletions (cap_usage_counts[1]):
 * what is neither present nor deleted was evicted (io.eunomia.bpf.CapabilityUsage#evicted).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct cap_usage);
} cap_usage SEC(".maps");

/* [0] entries made in cap_usage (here), [1] entries deleted (by user space). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} cap_usage_counts SEC(".maps");

/* cur: the current task's untrusted view (KVIEW), as in handle_cap; 0 while it exits. */
static __always_inline __u64 namespace_key(struct task_struct *cur)
{
	struct mnt_namespace *ns = cur->nsproxy->mnt_ns;
	__u64 id = mnt_namespace_id(ns);
	return exec_ns_key(ns->ns.inum, id);
}

static __always_inline void record_usage(__u64 key, __u32 mntns, int cap, bool denied)
{
	__u64 bit = 1ULL << (cap & CAP_MAX);
	struct cap_usage *u = bpf_map_lookup_elem(&cap_usage, &key);
	if (!u) {
		struct cap_usage fresh = { .mntns = mntns, .first_ns = bpf_ktime_get_ns() };
		if (bpf_map_update_elem(&cap_usage, &key, &fresh, BPF_NOEXIST) == 0) {
			__u32 zero = 0;
			__u64 *n = bpf_map_lookup_elem(&cap_usage_counts, &zero);
			if (n)
				__sync_fetch_and_add(n, 1);
		}
		u = bpf_map_lookup_elem(&cap_usage, &key);
		if (!u)
			return;
	}
	__u64 *word = denied ? &u->denied : &u->granted;
	/* Read first: an atomic on every check would bounce the cache line between CPUs. */
	if (!(*word & bit))
		__sync_fetch_and_or(word, bit);
}

SEC("tp_btf/cap_capable")
int BPF_PROG(handle_cap, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (skip_task(task, tgid) || !own_capability_use(ctx, task, cred, cap))
		return 0;

	bool denied = ret != 0;
	/*
	 * The task's fields by direct loads through an untrusted view (common.bpf.h, fill_header): a
	 * pointer field loaded from the trusted task makes the verifier search vmlinux BTF by name
	 * (bench/trusted_loads.py); task itself stays trusted for the helpers that ask for it.
	 */
	struct task_struct *cur = KVIEW(task_struct, task);
	__u32 mntns = cur->nsproxy->mnt_ns->ns.inum;
	/* mntns is 0 while the task exits; borrowed credentials were left out above. */
	if (mntns) {
		__u64 key = namespace_key(cur);
		if (exec_ns_is(task, key))
			record_usage(key, mntns, cap, denied);
	}

	__u32 zero = 0;
	struct cap_tuning *tuning = bpf_map_lookup_elem(&cap_tuning, &zero);
	__u64 interval = tuning && tuning->report_interval_ns ? tuning->report_interval_ns
							   : DEFAULT_REPORT_INTERVAL_NS;
	__u64 now = bpf_ktime_get_ns();
	struct cap_key k = {
		.start_time = cur->group_leader->start_time,
		.tgid = tgid,
		.exec_id = (__u32)cur->self_exec_id,
		.cap = cap,
		.denied = denied,
	};
	__u64 suppressed = 0;
	struct cap_seen *seen = bpf_map_lookup_elem(&cap_dedup, &k);
	if (seen) {
		if (now - seen->last_report_ns < interval) {
			__sync_fetch_and_add(&seen->suppressed, 1);
			return 0;
		}
		/* Races with another CPU only blur the count; no check is reported twice in a row. */
		suppressed = seen->suppressed;
		seen->suppressed = 0;
		seen->last_report_ns = now;
	} else {
		struct cap_seen fresh = { .last_report_ns = now };
		bpf_map_update_elem(&cap_dedup, &k, &fresh, BPF_ANY);
	}

	struct cap_event e = {};
	__s32 nr = current_syscall(task);
	fill_header(&e.h, task, EVT_CAP, nr);
	/* A 32-bit call's number means another call in the native table (setuid32 = epoll_create). */
	e.compat = nr >= 0 && compat_call(task);
	e.cap = cap;
	e.check_ret = ret;
	e.userns = BPF_CORE_READ(target_ns, ns.inum);
	e.userns_level = BPF_CORE_READ(target_ns, level);
	e.suppressed = suppressed;
	e.h.size = sizeof(e);
	emit(&e, sizeof(e));
	return 0;
}

/* Where the new program was exec'd: the current namespace (the tracepoint fires after the exec). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(cap_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *cur = KVIEW(task_struct, task);
	if (!cur->nsproxy)
		return 0;
	exec_ns_record(task, namespace_key(cur));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(cap_fork, struct task_struct *parent, struct task_struct *child)
{
	exec_ns_inherit(parent, child);
	return 0;
}
