// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Ring-buffer throughput benchmark (bench module only, never a user-facing sensor): each
 * getppid(BENCH_MAGIC) of the bench loop emits bench_control.records_per_call EVT_BENCH records
 * through common.bpf.h's emit(), so delivery, batched wake-ups and loss counting are the
 * sensors' own.
 */
#include "common.bpf.h"

#define BENCH_MAGIC 0xEB0E5C0DEULL   /* first argument of the loop's getppid calls */

/* EVT_BENCH. Mirrored by io.eunomia.bench.BenchRecords. */
struct bench_event {
	struct event_header h;
	__u64 seq;        /* per CPU, counts every record attempted */
	__u32 index;      /* position in its syscall's burst */
	__u32 pad;
};

struct bench_control {
	__u32 syscall_nr;          /* getppid on this architecture */
	__u32 records_per_call;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_control);
} bench_control SEC(".maps");

/* Records attempted, per CPU: delivered + drops (full ring, shed) must add up to this. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_attempted SEC(".maps");

struct burst {
	struct bench_event e;
	__u64 *attempted;
};

static long emit_one(__u32 i, void *data)
{
	struct burst *b = data;
	b->e.h.ts_ns = bpf_ktime_get_ns();
	b->e.seq = (*b->attempted)++;
	b->e.index = i;
	emit(&b->e, sizeof(b->e));
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(bench_sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	struct bench_control *ctl = bpf_map_lookup_elem(&bench_control, &zero);
	if (!ctl || id != ctl->syscall_nr)
		return 0;
	if (PT_REGS_PARM1_CORE_SYSCALL(regs) != BENCH_MAGIC)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (skip_task(task, bpf_get_current_pid_tgid() >> 32))
		return 0;
	struct burst b = {};
	b.attempted = bpf_map_lookup_elem(&bench_attempted, &zero);
	if (!b.attempted)
		return 0;
	fill_header(&b.e.h, task, EVT_BENCH, id);
	b.e.h.size = sizeof(b.e);
	bpf_loop(ctl->records_per_call, emit_one, &b, 0);
	return 0;
}
