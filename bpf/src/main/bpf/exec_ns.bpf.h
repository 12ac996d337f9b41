// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Where a task's program was exec'd: the mount namespace (its id, its number on kernels without
 * ids), kept per task at exec and passed on at fork: a child runs its parent's program. Only the
 * kernel writes it; a task cannot exec outside the namespace it is in, nor leave a container's
 * namespace for one it did not exec in without the runtime's privileges (setns/unshare), and its
 * new namespace is not its container's. A container's workload is what was exec'd inside it (a
 * `docker exec`'d program and a memfd too); a runtime's init (runc init, crun) that entered it was
 * exec'd outside. Used by the capability sensor (what the learner counts) and the enforcer (what
 * it checks); each object has its own copy of the map, filled by its own exec and fork programs.
 */
#ifndef EUNOMIA_EXEC_NS_BPF_H
#define EUNOMIA_EXEC_NS_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} exec_mntns SEC(".maps");

/* The key exec_mntns keeps: the namespace's id, its number (inum) on kernels without ids. */
static __always_inline __u64 exec_ns_key(__u32 inum, __u64 id)
{
	return id ? id : inum;
}

/* At exec (sched_process_exec fires after it): task's program was exec'd in the namespace key names. */
static __always_inline void exec_ns_record(struct task_struct *task, __u64 key)
{
	__u64 *k = bpf_task_storage_get(&exec_mntns, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (k)
		*k = key;
}

/* At fork: the child (process or thread) inherits where its parent's program was exec'd. */
static __always_inline void exec_ns_inherit(struct task_struct *parent, struct task_struct *child)
{
	__u64 *pk = bpf_task_storage_get(&exec_mntns, parent, 0, 0);
	if (!pk)
		return;
	__u64 key = *pk;
	__u64 *ck = bpf_task_storage_get(&exec_mntns, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ck)
		*ck = key;
}

/*
 * Whether task's program was exec'd in the namespace key names (the one it is in now: its
 * namespace's workload). A task whose exec was not seen (it ran before the sensor loaded, or its
 * storage could not be made) falls back to the file it runs: one of its own namespace's mounts (a
 * container runtime's binary, or its memfd copy, is not), which misses such a task running a memfd
 * of its own.
 */
static __always_inline bool exec_ns_is(struct task_struct *task, __u64 key)
{
	__u64 *k = bpf_task_storage_get(&exec_mntns, task, 0, 0);
	if (k)
		return *k == key;
	return runs_own_namespace_file(task);
}

#endif
