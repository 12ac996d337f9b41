// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * What seccomp did to containers, for `eunomia seccomp verify` and runtime baselines. Kept in
 * kernel maps keyed by mount namespace; nothing goes through the ring buffer.
 *
 * Denials. When a seccomp filter answers ERRNO (or TRACE without a tracer, or TRAP), the kernel
 * skips the call: sys_enter does not fire (it runs after the filter), but sys_exit does, with the
 * filter's -errno. So a sys_exit with -errno whose sys_enter this task never made is a call the
 * filter refused, told apart from the same errno returned by the call itself (chown without
 * CAP_CHOWN also gives EPERM, after a sys_enter). A task that was inside a call when the programs
 * were attached looks the same, so a task is only judged once it has made a sys_enter here, or
 * when it started after user space wrote the attach time.
 *
 * Calls under a filter. Per namespace, the calls made while a filter was in force, split at the
 * namespace's first exec under a filter (the workload's): before it, the runtime's own calls
 * between applying the filter and exec'ing the workload (its baseline); after it, the workload's.
 *
 * The workload's exec. Per namespace, the task that created the entry (a runtime that fails before
 * any exec still leaves its cgroup), the first exec and the first exec under a filter: pid,
 * command, effective/permitted/bounding capabilities (CapEff as /proc/PID/status shows it, read
 * from the new credentials), no_new_privs, seccomp mode, and the leaf names of the task's cgroups,
 * which hold the container id for every runtime (docker/<id>, libpod-<id>, <id>), so a container
 * that lived a millisecond is still found.
 *
 * Keys: namespaces are keyed by their 64-bit id, never reused while the host runs (the inode
 * number is reused as soon as a namespace is freed, which happens between a short container's end
 * and the moment user space reads the maps, when other containers start and stop). Kernels
 * without namespace ids key by the number.
 *
 * Cost: two programs on every syscall of every task outside the host's mount namespace while
 * the sensor is loaded (verify and baseline runs only).
 */
#include "common.bpf.h"
#include "compat.bpf.h"

#define SC_BITS 1024
#define SC_WORDS (SC_BITS / 64)
#define SC_MAX_NS 1024
#define SC_MAX_DENIED 4096
#define SC_LEAF_LEN 96
#define SECCOMP_MODE_FILTER 2
#define MAX_ERRNO 4095

struct sc_control {
	__u32 host_mntns;    /* not watched */
	__u32 pad;
	__u64 attach_ns;     /* CLOCK_MONOTONIC when the programs were attached; 0 = not yet */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sc_control);
} sc_control SEC(".maps");

struct sc_task {
	__u32 pending;       /* syscall number + 1 between sys_enter and sys_exit, else 0 */
	__u32 entered;       /* made a sys_enter since the programs were attached */
	__u32 pid_noted;     /* its pid is in sc_pids */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sc_task);
} sc_task SEC(".maps");

struct sc_denial_key {
	__u64 ns_key;        /* the namespace's id (its number on kernels without ids) */
	__u32 nr;
	__u32 err;
	__u32 compat;
	__u32 pad;
};

struct sc_denial {
	__u64 mntns;         /* the namespace's number */
	__u64 count;
	__u64 first_ns;
	__u64 args[6];       /* of the first denied call */
	__u32 pid;
	__u32 tid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_DENIED);
	__type(key, struct sc_denial_key);
	__type(value, struct sc_denial);
} sc_denied SEC(".maps");

struct sc_exec {
	__u64 ts_ns;         /* 0 = none yet */
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 cap_bounding;
	__u32 pid;
	__u32 uid;
	__u32 seccomp_mode;
	__u32 no_new_privs;
	char comm[16];
	char cgroup_leaf[SC_LEAF_LEN];   /* in the pids hierarchy (v1, or v2 on a pure v2 host) */
	char dfl_leaf[SC_LEAF_LEN];      /* in the v2 hierarchy */
};

struct sc_ns {
	__u64 mntns;                     /* the namespace's number (the key is its id) */
	__u64 setup[SC_WORDS];           /* under a filter, before the first exec under a filter */
	__u64 workload[SC_WORDS];        /* under a filter, from that exec on */
	__u64 setup_compat[SC_WORDS];
	__u64 workload_compat[SC_WORDS];
	struct sc_exec origin;           /* the task whose call created the entry (no exec needed) */
	struct sc_exec first_exec;
	struct sc_exec filtered_exec;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_NS);
	__type(key, __u64);
	__type(value, struct sc_ns);
} sc_ns SEC(".maps");

/* Which namespace (key of sc_ns) a process lived in, for the kernel log's audit records (they carry the pid). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} sc_pids SEC(".maps");

enum sc_stat { SC_DENIED_FULL = 0, SC_NS_FULL = 1, SC_STATS = 2 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_STATS);
	__type(key, __u32);
	__type(value, __u64);
} sc_stats SEC(".maps");

/* A zeroed value too big for the stack, to create entries from. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sc_ns);
} sc_ns_zero SEC(".maps");

static __always_inline void sc_count(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&sc_stats, &stat);
	if (c)
		*c += 1;
}

static __always_inline struct sc_control *control(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&sc_control, &zero);
}

static __always_inline void leaf_name(char *dst, struct cgroup *cg)
{
	struct kernfs_node *kn = BPF_CORE_READ(cg, kn);
	const char *name = BPF_CORE_READ(kn, name);
	bpf_probe_read_kernel_str(dst, SC_LEAF_LEN, name);
}

static __always_inline void fill_exec(struct sc_exec *e, struct task_struct *task)
{
	const struct cred *cred = task->cred;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->uid = cred->uid.val;
	/* kernel_cap_t is one u64 since 6.3 and two u32 before: the same 8 bytes either way. */
	bpf_probe_read_kernel(&e->cap_effective, 8, &cred->cap_effective);
	bpf_probe_read_kernel(&e->cap_permitted, 8, &cred->cap_permitted);
	bpf_probe_read_kernel(&e->cap_bounding, 8, &cred->cap_bset);
	e->seccomp_mode = task->seccomp.mode;
	e->no_new_privs = (task->atomic_flags >> PFA_NO_NEW_PRIVS) & 1;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	int pids = bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id);
	struct css_set *cgroups = task->cgroups;
	if (pids >= 0 && pids < CGROUP_SUBSYS_COUNT) {
		struct cgroup_subsys_state *css = BPF_CORE_READ(cgroups, subsys[pids]);
		if (css)
			leaf_name(e->cgroup_leaf, BPF_CORE_READ(css, cgroup));
	}
	leaf_name(e->dfl_leaf, BPF_CORE_READ(cgroups, dfl_cgrp));
}

/* The key of a task's namespace in the maps: its id, or its number when the kernel has no ids. */
static __always_inline __u64 ns_key(struct task_struct *task, __u32 mntns)
{
	__u64 id = mntns_id(task);
	return id ? id : mntns;
}

/* The namespace's entry, created on first use. */
static __always_inline struct sc_ns *ns_entry(struct task_struct *task, __u32 mntns, __u64 key)
{
	struct sc_ns *ns = bpf_map_lookup_elem(&sc_ns, &key);
	if (ns)
		return ns;
	__u32 zero = 0;
	struct sc_ns *fresh = bpf_map_lookup_elem(&sc_ns_zero, &zero);
	if (!fresh)
		return 0;
	fresh->mntns = mntns;
	fill_exec(&fresh->origin, task);
	/* EEXIST when another CPU was first: fine, look it up again. */
	bpf_map_update_elem(&sc_ns, &key, fresh, BPF_NOEXIST);
	ns = bpf_map_lookup_elem(&sc_ns, &key);
	if (!ns)
		sc_count(SC_NS_FULL);
	return ns;
}

static __always_inline __u32 watched_mntns(struct task_struct *task)
{
	struct sc_control *ctl = control();
	if (!ctl)
		return 0;
	__u32 mntns = task->nsproxy->mnt_ns->ns.inum;
	if (!mntns || mntns == ctl->host_mntns)
		return 0;
	return mntns;
}

static __always_inline void set_bit(__u64 *words, long nr)
{
	__u32 w = ((__u32)nr / 64) & (SC_WORDS - 1);
	__u64 mask = 1ULL << (nr & 63);
	if (!(words[w] & mask))
		__sync_fetch_and_or(&words[w], mask);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(seccomp_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 mntns = watched_mntns(task);
	if (!mntns)
		return 0;
	struct sc_task *ts = bpf_task_storage_get(&sc_task, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts)
		return 0;
	ts->pending = (unsigned long)id < SC_BITS ? (__u32)id + 1 : 0;
	ts->entered = 1;
	__u64 key = ns_key(task, mntns);
	if (!ts->pid_noted) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		bpf_map_update_elem(&sc_pids, &tgid, &key, BPF_ANY);
		ts->pid_noted = 1;
	}
	if ((unsigned long)id >= SC_BITS || task->seccomp.mode != SECCOMP_MODE_FILTER)
		return 0;
	struct sc_ns *ns = ns_entry(task, mntns, key);
	if (!ns)
		return 0;
	bool compat = compat_call(task);
	if (ns->filtered_exec.ts_ns)
		set_bit(compat ? ns->workload_compat : ns->workload, id);
	else
		set_bit(compat ? ns->setup_compat : ns->setup, id);
	return 0;
}

/* libbpf 1.1 has PT_REGS_PARM1..5_CORE_SYSCALL but no 6th. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, regs[5])
#endif

SEC("raw_tp/sys_exit")
int BPF_PROG(seccomp_sys_exit, struct pt_regs *regs, long ret)
{
	if (ret >= 0 || ret < -MAX_ERRNO)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 mntns = watched_mntns(task);
	if (!mntns)
		return 0;
	long nr = SYSCALL_NR(regs);
	struct sc_task *ts = bpf_task_storage_get(&sc_task, task, 0, 0);
	__u32 pending = 0;
	bool entered = false;
	if (ts) {
		pending = ts->pending;
		entered = ts->entered;
		ts->pending = 0;
	}
	if (nr < 0 || nr >= SC_BITS || pending == (__u32)nr + 1)
		return 0;
	if (!entered) {
		/* Unseen so far: only a task started after the attach cannot have entered before it. */
		struct sc_control *ctl = control();
		if (!ctl || !ctl->attach_ns || task->start_time < ctl->attach_ns)
			return 0;
	}
	__u64 nskey = ns_key(task, mntns);
	ns_entry(task, mntns, nskey);   /* so the namespace is known (and named by its cgroup) without an exec */
	struct sc_denial_key key = {
		.ns_key = nskey, .nr = (__u32)nr, .err = (__u32)-ret, .compat = compat_call(task),
	};
	struct sc_denial *d = bpf_map_lookup_elem(&sc_denied, &key);
	if (d) {
		__sync_fetch_and_add(&d->count, 1);
		return 0;
	}
	struct sc_denial fresh = {};
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	fresh.mntns = mntns;
	fresh.count = 1;
	fresh.first_ns = bpf_ktime_get_ns();
	fresh.pid = pid_tgid >> 32;
	fresh.tid = (__u32)pid_tgid;
	fresh.args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	fresh.args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	fresh.args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	fresh.args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	fresh.args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	fresh.args[5] = SYSCALL_ARG6(regs);
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	if (bpf_map_update_elem(&sc_denied, &key, &fresh, BPF_NOEXIST) == 0)
		return 0;
	d = bpf_map_lookup_elem(&sc_denied, &key);
	if (d)
		__sync_fetch_and_add(&d->count, 1);   /* another CPU was first */
	else
		sc_count(SC_DENIED_FULL);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(seccomp_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 mntns = watched_mntns(task);
	if (!mntns)
		return 0;
	struct sc_ns *ns = ns_entry(task, mntns, ns_key(task, mntns));
	if (!ns)
		return 0;
	if (!ns->first_exec.ts_ns)
		fill_exec(&ns->first_exec, task);
	if (!ns->filtered_exec.ts_ns && task->seccomp.mode == SECCOMP_MODE_FILTER)
		fill_exec(&ns->filtered_exec, task);
	return 0;
}
