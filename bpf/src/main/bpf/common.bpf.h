/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * What every sensor shares: the filter, the record header, delivery with batched wake-ups and
 * in-kernel loss counting. Each sensor includes this once; maps defined here are per object.
 */
#ifndef EUNOMIA_COMMON_BPF_H
#define EUNOMIA_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

/* Written by user space after load, before attach (struct sensor_settings of events.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sensor_settings);
} settings SEC(".maps");

static __always_inline struct sensor_settings *get_settings(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&settings, &zero);
}

/*
 * Loss counters, per CPU, summed by user space. DROP_EVICTED: a call's state kept between its
 * enter and exit was lost: a call's arguments pushed out of their LRU map before exit, or a
 * thread's task-local slot (a sockaddr, a path call's texts) its enter could not make (no memory).
 */
enum drop_reason {
	DROP_RINGBUF_FULL = 0, DROP_SCRATCH = 1, DROP_EVICTED = 2,
	DROP_SHED_FLOOD = 3,    /* shed: past its process's budget while the ring is over 3/4 full (ring_shed) */
	DROP_SHED_RESERVE = 4,  /* shed: a record that is not vital while the ring is in its vital-only reserve */
	DROP_REASONS = 5,
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Last forced wake-up per CPU: records in between are delivered without waking the reader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_wakeup SEC(".maps");

/* Forced reader wake-ups sent, per CPU (tests and benchmarks read it: each costs ~10 us here). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} forced_wakeups SEC(".maps");

static __always_inline void count_drop(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&drops, &reason);
	if (c)
		*c += 1;
}

/*
 * Written by the reader: 1 while it takes records in rounds (KernelSensors' poller consumes at the
 * end of every round, its poll interval apart, whether woken or not), 0 before it sleeps in a poll
 * that only a wake-up ends early. Shared by all sensor objects like the ring. Mappable: the reader
 * writes it through its memory (MappedArray), not with a bpf(2) update per change, two per short
 * process when processes come a round apart.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} reader_in_rounds SEC(".maps");

/*
 * Wake the reader for the first record after a quiet interval (low latency), let records in a
 * burst ride along without wake-ups (throughput). The reader also polls with a short timeout,
 * so nothing waits longer than that.
 *
 * A forced wake-up is an irq_work self-interrupt plus the reader's wake-up, ~10 us of the
 * traced task's time on this VM (bpf_stats: a fork record 16 us with, 4-5 us without): so
 * none either while records are waiting in the ring (reserved or not yet consumed). Whoever
 * put the oldest of them into the empty ring forced a wake-up, or rode on one less than the
 * interval old; either way the reader is awake or in its rounds, and its next consume()
 * takes this record too (KernelSensors' poller consumes again after every round that found
 * records). Called before the record is reserved: the ring's own data must not count.
 */
static __always_inline __u64 wakeup_flags(__u64 now)
{
	__u32 zero = 0;
	/*
	 * A reader in rounds takes the record at its next round: waking it would only cost the traced
	 * task the wake-up (in a run of short-lived programs, one per process). A record that read 1
	 * just before the reader wrote 0 is taken when its first polls after the rounds time out (the
	 * reader's short one, or at the latest its first idle one: KernelSensors, 250 ms).
	 */
	__u32 *in_rounds = bpf_map_lookup_elem(&reader_in_rounds, &zero);
	if (in_rounds && *in_rounds)
		return BPF_RB_NO_WAKEUP;
	__u64 *last = bpf_map_lookup_elem(&last_wakeup, &zero);
	struct sensor_settings *cfg = get_settings();
	if (!last || !cfg)
		return 0;
	if (now - *last < cfg->wakeup_interval_ns || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) != 0)
		return BPF_RB_NO_WAKEUP;
	*last = now;
	__u64 *forced = bpf_map_lookup_elem(&forced_wakeups, &zero);
	if (forced)
		*forced += 1;
	return BPF_RB_FORCE_WAKEUP;
}

/*
 * Which records a ring that fills (the reader behind: a CPU-starved host, a flood) loses first
 * (bench/README.md, ringrank). Vital records are never shed: a process's exec, fork and exit and a
 * namespace's identity (user space attributes and gives ancestry to every later record by them:
 * one lost spoils all of its process's alerts; each process makes at most three) and a violation
 * (enforcement acts on it). Any other record (file, net, cap, privilege call) is shed once the
 * ring is three quarters full when its process has already put RANK_BUDGET of them in within the
 * window (not at half: a reader that falls behind for a moment then catches up, and main's whole
 * ring kept what half of it shed, bench/README.md):
 * a flood is many records of few processes, its alerts repeats (aggregated), while a process with
 * a few records (a cat of /etc/shadow, a container's first opens) keeps them. The ring's last
 * eighth is kept for vital records alone. Each shed record is counted by why (drop_reason).
 * Below that, the cost is two ring queries per record (bench/README.md: ns per run).
 */
#define RANK_BUDGET 64
#define RANK_WINDOW_NS 1000000000ULL

struct rank_count {
	__u64 window;  /* start of the process's window (ns) */
	__u64 n;       /* its records in the window while the ring was over three quarters full */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rank_count);
} rank_counts SEC(".maps");

/* DROP_SHED_* when the record must be shed, else 0. */
static __always_inline __u32 ring_shed(const struct event_header *h)
{
	if (h->type <= EVT_NAMESPACE || h->type == EVT_VIOLATION)
		return 0;
	__u64 used = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	if (used < size - size / 4)
		return 0;
	if (used >= size - size / 8)
		return DROP_SHED_RESERVE;
	__u32 tgid = h->pid;
	struct rank_count *c = bpf_map_lookup_elem(&rank_counts, &tgid);
	if (!c || h->ts_ns - c->window >= RANK_WINDOW_NS) {
		struct rank_count first = { .window = h->ts_ns, .n = 1 };
		bpf_map_update_elem(&rank_counts, &tgid, &first, BPF_ANY);
		return 0;
	}
	/* Not atomic: a count a few off under a race only moves where the budget ends. */
	c->n += 1;
	return c->n > RANK_BUDGET ? DROP_SHED_FLOOD : 0;
}

/* Whether the record went into the ring (a full ring, or one that sheds it, counts it lost). */
static __always_inline bool emit(void *rec, __u64 size)
{
	struct event_header *h = rec;
	__u32 shed = ring_shed(h);
	if (shed) {
		count_drop(shed);
		return false;
	}
	if (bpf_ringbuf_output(&events, rec, size, wakeup_flags(h->ts_ns)) != 0) {
		count_drop(DROP_RINGBUF_FULL);
		return false;
	}
	return true;
}

/* The filter shared by all sensors: our own process, a pid, a mount namespace. */
static __always_inline bool skip_task(struct task_struct *task, __u32 tgid)
{
	struct sensor_settings *cfg = get_settings();
	if (!cfg || !cfg->enabled)
		return true;
	if (tgid == cfg->self_tgid)
		return true;
	if (cfg->filter_tgid && tgid != cfg->filter_tgid)
		return true;
	if (cfg->filter_mntns && BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) != cfg->filter_mntns)
		return true;
	return false;
}

/* The pid namespace the task itself lives in (not the one for its children). */
static __always_inline __u32 task_pidns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	return BPF_CORE_READ(up.ns, ns.inum);
}

/*
 * Per-CPU scratch where records are assembled before they are copied into the ring buffer
 * (records are larger than the 512-byte BPF stack). Strings are placed at offsets masked with
 * SCRATCH_OFF_MASK and are at most SCRATCH_STR_MAX long, so every write stays inside.
 */
/* Bit of task_struct.atomic_flags (include/linux/sched.h): prctl(PR_SET_NO_NEW_PRIVS) set it. */
#define PFA_NO_NEW_PRIVS 0

#define SCRATCH_SIZE 32768
#define SCRATCH_OFF_MASK 16383
#define SCRATCH_STR_MAX 4096

/*
 * Any record fits. Naming each record and code of events.h here also puts their layouts into
 * the object's BTF (clang leaves out types only locals use), where LayoutTest checks the Java
 * decoders against them: a new record or code enum of events.h belongs here too.
 */
union scratch {
	char data[SCRATCH_SIZE];
	struct exec_event exec;
	struct exit_event exit;
	struct fork_event fork;
	struct net_event net;
	struct cap_event cap;
	struct syscall_event syscall;
	struct file_event file;
	struct namespace_event namespace;
	struct violation_event violation;
	struct enforce_exec_note exec_note;
	enum event_type type;
	enum stream_kind stream_kind;
	enum net_op net_op;
	enum file_op file_op;
	enum file_path_kind file_path_kind;
};

_Static_assert(sizeof(union scratch) == SCRATCH_SIZE, "the records must not grow the scratch map's value");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union scratch);
} scratch_buf SEC(".maps");

static __always_inline char *get_scratch(void)
{
	__u32 zero = 0;
	char *s = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!s)
		count_drop(DROP_SCRATCH);
	return s;
}

/*
 * Whether a string may no longer start at off: past SCRATCH_OFF_MASK the masked offset would wrap
 * and the string land over the record's header and first strings (the size emitted shrinks with
 * it and the record no longer decodes: an event lost). A string starting at or below the mask
 * ends inside the scratch (at most SCRATCH_OFF_MASK + 2 * PATH_LEN), so that is the one check.
 * The put_* refuse (return 0, nothing appended); a record whose strings can add up past the mask
 * writes those rules need most first and says what it dropped (exec_event.cwd_dropped).
 */
static __always_inline bool scratch_full(__u32 off)
{
	return off > SCRATCH_OFF_MASK;
}

/* Appends a user string at *off; returns its stored length (with NUL) or 0. */
static __always_inline __u16 put_user_str(char *rec, __u32 *off, const char *ustr, __u32 max)
{
	__u32 o = *off & SCRATCH_OFF_MASK;
	if (!ustr || scratch_full(*off))
		return 0;
	if (max > SCRATCH_STR_MAX)
		max = SCRATCH_STR_MAX;
	long n = bpf_probe_read_user_str(rec + o, max, ustr);
	if (n <= 0)
		return 0;
	*off = o + n;
	return n;
}

static __always_inline __u16 put_kernel_str(char *rec, __u32 *off, const char *kstr, __u32 max)
{
	__u32 o = *off & SCRATCH_OFF_MASK;
	if (!kstr || scratch_full(*off))
		return 0;
	if (max > SCRATCH_STR_MAX)
		max = SCRATCH_STR_MAX;
	long n = bpf_probe_read_kernel_str(rec + o, max, kstr);
	if (n <= 0)
		return 0;
	*off = o + n;
	return n;
}

static __always_inline bool emit_scratch(char *rec, __u32 size)
{
	struct event_header *h = (struct event_header *)rec;
	size &= SCRATCH_SIZE - 1;
	if (size < sizeof(struct event_header))
		return false;
	h->size = size;
	return emit(rec, size);
}

/* Kernels before 6.9 number mount namespaces in mnt_namespace.seq; later ones in ns_common.ns_id. */
struct mnt_namespace___seq {
	u64 seq;
} __attribute__((preserve_access_index));

/*
 * A namespace inode number is reused once the namespace is freed; its id is not. Containers are
 * keyed by this id so a new container never inherits an old one's identity.
 */
static __always_inline __u64 mntns_id(struct task_struct *task)
{
	struct mnt_namespace *ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
	if (bpf_core_field_exists(ns->ns.ns_id))
		return BPF_CORE_READ(ns, ns.ns_id);
	struct mnt_namespace___seq *old = (void *)ns;
	if (bpf_core_field_exists(old->seq))
		return BPF_CORE_READ(old, seq);
	return 0;
}

/*
 * Mount namespaces already described to user space (key: the namespace's id, or its inode number
 * with the top bit set on kernels without ids), with the css_set and cgroup ids last reported.
 * One map for all sensor objects (user space shares it like the ring buffer); user space deletes
 * a key when it forgets the namespace, so its next event describes it again.
 */
struct ns_known {
	__u64 css_set;      /* tasks in the same cgroups share one css_set: the cheap "changed?" test */
	__u64 cgroup_v2;
	__u64 cgroup_v1;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ns_known);
} ns_known SEC(".maps");

/* kernfs_node.parent became __parent in 6.15. */
struct kernfs_node___parent_old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___parent_new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___parent_new *n = (void *)kn;
	if (bpf_core_field_exists(n->__parent))
		return BPF_CORE_READ(n, __parent);
	struct kernfs_node___parent_old *o = (void *)kn;
	return BPF_CORE_READ(o, parent);
}

/*
 * The cgroup of task on the v1 hierarchy of controller subsys (NULL when there is none). Handed to
 * emit_namespace as a number (u64), never as a pointer: a global function's arguments are verified
 * without the caller's knowledge of them (a pointer argument must point to memory of a known size),
 * so a kernel pointer crosses only as a scalar, read there by probe reads.
 */
static __always_inline struct cgroup *v1_cgroup(struct task_struct *task, __u32 subsys)
{
	struct css_set *cs = BPF_CORE_READ(task, cgroups);
	struct cgroup_subsys_state *css = NULL;
	if (!cs || subsys >= 16)
		return NULL;
	bpf_core_read(&css, sizeof(css), &cs->subsys[subsys]);
	return css ? BPF_CORE_READ(css, cgroup) : NULL;
}

static __always_inline __u64 cgroup_kn_id(struct cgroup *cg)
{
	return cg ? BPF_CORE_READ(cg, kn, id) : 0;
}

/* Path components of a cgroup, leaf first, into slots; returns how many (NSID_DEPTH + 1: cut). */
static __always_inline __u8 cgroup_components(struct cgroup *cg, char slots[NSID_DEPTH][NSID_NAME_LEN])
{
	struct kernfs_node *kn = cg ? BPF_CORE_READ(cg, kn) : NULL;
	__u8 depth = 0;
#pragma unroll
	for (int i = 0; i < NSID_DEPTH; i++) {
		slots[i][0] = 0;
		struct kernfs_node *parent = kn ? kn_parent(kn) : NULL;
		if (!parent)  /* the hierarchy's root has no name of its own */
			continue;
		bpf_probe_read_kernel_str(slots[i], NSID_NAME_LEN, BPF_CORE_READ(kn, name));
		depth = i + 1;
		kn = parent;
	}
	if (depth == NSID_DEPTH && kn && kn_parent(kn))
		depth = NSID_DEPTH + 1;
	return depth;
}

/* The namespace record of task (the current one: h is its header) into e (v1: see v1_cgroup, or NULL). */
static __always_inline void fill_namespace(struct namespace_event *e, struct task_struct *task,
					   const struct event_header *h, struct cgroup *v1)
{
	__u32 subsys = get_settings() ? get_settings()->cgroup_v1_subsys : (__u32)-1;
	__builtin_memcpy(&e->h, h, sizeof(e->h));
	e->h.type = EVT_NAMESPACE;
	e->h.size = sizeof(*e);
	e->h.syscall_nr = -1;
	e->h.ret = 0;
	e->cgroup_v1_id = cgroup_kn_id(v1);
	struct task_struct *t = task;
#pragma unroll
	for (int i = 0; i < NSID_ANCESTORS; i++) {
		e->ancestor_pid[i] = 0;
		e->ancestor_comm[i][0] = 0;
		e->ancestor_cgroup[i] = 0;
		if (t)
			t = BPF_CORE_READ(t, real_parent);
		if (!t)
			continue;
		e->ancestor_pid[i] = BPF_CORE_READ(t, tgid);
		e->ancestor_cgroup[i] = v1 ? cgroup_kn_id(v1_cgroup(t, subsys))
					   : cgroup_kn_id(BPF_CORE_READ(t, cgroups, dfl_cgrp));
		BPF_CORE_READ_STR_INTO(&e->ancestor_comm[i], t, group_leader, comm);
		if (e->ancestor_pid[i] == 0)
			t = NULL;
	}
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	e->cgroup_v2_depth = cgroup_components(BPF_CORE_READ(task, cgroups, dfl_cgrp), e->cgroup_v2);
	e->cgroup_v1_depth = cgroup_components(v1, e->cgroup_v1);
}

/*
 * Describes the namespace of the current task to user space (v1: its cgroup on the watched v1
 * hierarchy, or 0); 0 when the ring buffer is full.
 * A global function, never inlined: the verifier checks it (its unrolled loops are most of what it
 * checked in a program that reports from several places) once per program, where inlined it was
 * checked again at every place the program makes a record. Its arguments are what the verifier
 * knows without the caller: h, memory of a header's size (may be NULL), and plain numbers, so it
 * reads the current task itself (the header's: fill_header) and v1 is an address (probe reads only;
 * every read of fill_namespace is one, so the record is the one the inlined code made:
 * NamespaceRecordCallTest compares the two for a container's exec). v1_addr must stay a scalar: the
 * verifier checks a global function's arguments as its prototype says, not as the caller's values
 * are; a struct cgroup * argument would be taken for memory to check, and a task or cgroup pointer
 * the caller knows (BTF) would lose that knowledge here anyway.
 */
#ifdef EUNOMIA_MAPS_ONLY
/* An object without programs (shared.bpf.c) has no use for it, and libbpf 1.1 would take it for a program there. */
int emit_namespace(const struct event_header *h, __u64 v1_addr);
#else
__noinline int emit_namespace(const struct event_header *h, __u64 v1_addr)
{
	if (!h)
		return 0;
	__u64 wakeup = wakeup_flags(h->ts_ns);
	struct namespace_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(DROP_RINGBUF_FULL);
		return 0;
	}
	fill_namespace(e, (struct task_struct *)bpf_get_current_task(), h, (struct cgroup *)v1_addr);
	bpf_ringbuf_submit(e, wakeup);
	return 1;
}
#endif

/*
 * Before the first event of a mount namespace other than the host's, and whenever its tasks'
 * cgroups change, tells user space what identifies it (namespace_event). Costs one map lookup
 * and one pointer read per event of a known namespace; nothing for the host's.
 */
static __always_inline void note_namespace(struct task_struct *task, const struct event_header *h)
{
	struct sensor_settings *cfg = get_settings();
	if (!cfg || h->mntns == cfg->host_mntns)
		return;
	__u64 key = h->mntns_id ? h->mntns_id : (h->mntns | (1ULL << 63));
	__u64 css = (__u64)BPF_CORE_READ(task, cgroups);
	struct ns_known *known = bpf_map_lookup_elem(&ns_known, &key);
	if (known && known->css_set == css)
		return;
	struct cgroup *v1 = v1_cgroup(task, cfg->cgroup_v1_subsys);
	struct ns_known now = {
		.css_set = css,
		.cgroup_v2 = cgroup_kn_id(BPF_CORE_READ(task, cgroups, dfl_cgrp)),
		.cgroup_v1 = cgroup_kn_id(v1),
	};
	if (known && known->cgroup_v2 == now.cgroup_v2 && known->cgroup_v1 == now.cgroup_v1) {
		known->css_set = css;  /* another css_set, same cgroups where it matters */
		return;
	}
	/* Emitted before the map says "known": an event that finds the key comes after it in the ring. */
	if (emit_namespace(h, (__u64)v1))
		bpf_map_update_elem(&ns_known, &key, &now, BPF_ANY);
}

/*
 * Whether the task runs a file of its own mount namespace. A container runtime's init (runc/crun,
 * or runc's memfd copy of itself) runs a file from outside the container while it sets the
 * container up; the workload it then execs lies inside.
 */
static __always_inline bool runs_own_namespace_file(struct task_struct *task)
{
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	if (!exe)
		return false;
	struct vfsmount *vmnt = BPF_CORE_READ(exe, f_path.mnt);
	struct mount *mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);
	struct mnt_namespace *ns = BPF_CORE_READ(mnt, mnt_ns);
	return ns && ns == BPF_CORE_READ(task, nsproxy, mnt_ns);
}

/*
 * The device number of inode for the identity maps user space fills from statx (stx_dev_major/minor;
 * kernel encoding, major << 20 | minor). What holds: it is the superblock's s_dev of the inode
 * given, except on btrfs, where it is the subvolume's anonymous device (btrfs_getattr
 * reports BTRFS_I(inode)->root->anon_dev): inode numbers repeat across subvolumes (every
 * subvolume's root is 256, its first file 257), so s_dev and inode name no one file there. It is
 * NOT stat's device wherever else getattr reports another than s_dev: an overlayfs whose layers lie
 * on more than one file system and without xino reports a non-directory's real layer's device (and
 * inode), where this keeps the overlay's s_dev: for such a file the two differ.
 * bpf_core_type_exists is decided when the program loads: btrfs's types are found in the kernel's
 * BTF (built in) or a module's loaded by then. A program loaded before the btrfs module keeps s_dev
 * on btrfs and its watched files do not match: user space says so (BtrfsDevices: a warning,
 * eunomia_btrfs_device_ids 0).
 */
#define BTRFS_SUPER_MAGIC_ 0x9123683E
static __always_inline __u32 stat_dev(struct inode *inode)
{
	/* inode: a pointer the verifier knows (BTF): direct loads; probe reads only on btrfs. */
	struct super_block *sb = inode->i_sb;
	__u32 dev = sb->s_dev;
	if (bpf_core_type_exists(struct btrfs_inode) && sb->s_magic == BTRFS_SUPER_MAGIC_) {
		struct btrfs_inode *bi = (void *)inode - bpf_core_field_offset(struct btrfs_inode, vfs_inode);
		__u32 anon = BPF_CORE_READ(bi, root, anon_dev);
		if (anon)
			dev = anon;
	}
	return dev;
}

#define PF_IO_WORKER_ 0x00000010
/* io_uring_enter: the call that hands ring requests over (the same number on x86_64 and arm64). */
#define NR_IO_URING_ENTER 426

/*
 * A typed view of a kernel pointer (the verifier turns the call into a move): its fields are then
 * direct loads, which the verifier guards, instead of a probe-read helper call per hop (~15-50 ns
 * each on this VM). Used on every successful open's path (file.bpf.c), for sockets (net.bpf.c) and
 * for the record header's current task (fill_header).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define KVIEW(type, p) ((struct type *)bpf_rdonly_cast((const void *)(p), bpf_core_type_id_kernel(struct type)))

/* mntns_id for a task pointer the verifier knows (BTF): direct loads instead of probe-read helper calls. */
static __always_inline __u64 mnt_namespace_id(struct mnt_namespace *ns)
{
	if (bpf_core_field_exists(ns->ns.ns_id))
		return ns->ns.ns_id;
	struct mnt_namespace___seq *old = (void *)ns;
	if (bpf_core_field_exists(old->seq))
		return old->seq;
	return 0;
}

/*
 * The header of every record, of the current task (pid and tid are the current's; task must be it:
 * emit_namespace reads the current task).
 * The task's fields are read with direct loads from the verifier-known current task: each
 * BPF_CORE_READ hop is a helper call (~50 ns on this VM), and a header made ~25 of them, most of
 * a fork or exit record's cost.
 */
static __always_inline void fill_header(struct event_header *h, struct task_struct *task,
					__u16 type, __s32 syscall_nr)
{
	/*
	 * An untrusted view of the current task, not the trusted pointer itself: the same loads (the
	 * JIT guards both alike), but each load of a pointer field from a trusted or RCU pointer makes
	 * this kernel's verifier look up "<type>__safe_trusted"/"__safe_rcu" names in vmlinux BTF, type
	 * by type (btf_nested_type_is_trusted), and this header is verified ~1,400 times per start:
	 * ~20% of a monitor start's CPU (bench/README.md, one monitor start's CPU).
	 */
	struct task_struct *cur = KVIEW(task_struct, bpf_get_current_task_btf());
	__u64 id = bpf_get_current_pid_tgid();
	h->ts_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->ret = 0;
	struct mnt_namespace *mnt = cur->nsproxy->mnt_ns;
	h->mntns = mnt->ns.inum;
	h->mntns_id = mnt_namespace_id(mnt);
	/* The pid namespace the task lives in: numbers[level] of its struct pid (an index: one probe read). */
	struct pid *pid = cur->thread_pid;
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[pid->level & 31]);
	h->pidns = BPF_CORE_READ(up.ns, ns.inum);
	h->pid = id >> 32;
	h->tid = (__u32)id;
	struct task_struct *parent = cur->real_parent;
	h->ppid = parent->tgid;
	const struct cred *cred = cur->cred;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->euid = cred->euid.val;
	h->egid = cred->egid.val;
	h->type = type;
	h->size = 0;
	h->syscall_nr = syscall_nr;
	h->reserved = 0;
	/*
	 * An io_uring worker (SQPOLL "iou-sqp-PID", io-wq "iou-wrk-PID") does a ring request for its
	 * process: it is named as the process, as the thread that submitted would be.
	 */
	if (cur->flags & PF_IO_WORKER_)
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), cur->group_leader->comm);
	else
		bpf_get_current_comm(h->comm, sizeof(h->comm));
	/*
	 * The process ppid names (/proc/ppid/comm): real_parent is the thread that forked, whose
	 * comm may be a thread name. Read now: later the parent may have exited or exec'd.
	 */
	bpf_probe_read_kernel_str(h->pcomm, sizeof(h->pcomm), parent->group_leader->comm);
	note_namespace(task, h);
}

#endif /* EUNOMIA_COMMON_BPF_H */
