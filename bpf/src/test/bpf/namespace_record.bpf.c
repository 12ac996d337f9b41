// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Test object (NamespaceRecordCallTest): at the exec of a program named NSREC_PROBE, the namespace
 * record made twice into the ring, first as every sensor makes it (fill_header: note_namespace and the
 * global emit_namespace, which reads the current task itself and gets v1 as a number), then with the
 * same filler inlined here on the verifier-known task the hook gives. Both must be the same bytes.
 */
#include "common.bpf.h"

#define NSREC_PROBE "nsrec-probe"

SEC("tp_btf/sched_process_exec")
int BPF_PROG(namespace_record_both_ways, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	char comm[sizeof(NSREC_PROBE)] = {};
	bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
	for (int i = 0; i < sizeof(comm); i++)
		if (comm[i] != NSREC_PROBE[i])
			return 0;
	struct sensor_settings *cfg = get_settings();
	if (!cfg || !cfg->enabled)
		return 0;
	struct event_header h = {};
	fill_header(&h, task, EVT_EXEC, -1);  /* the global emit_namespace: the namespace is new */
	struct namespace_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(DROP_RINGBUF_FULL);
		return 0;
	}
	fill_namespace(e, task, &h, v1_cgroup(task, cfg->cgroup_v1_subsys));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
