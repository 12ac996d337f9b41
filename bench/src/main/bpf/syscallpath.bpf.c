// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * The two ways a sensor can hook one syscall, side by side for bench/src/main/c/syscall_path.c
 * (bench/README.md, "Where a syscall pays"): the per-syscall perf tracepoints the sensors use
 * (tracepoint/syscalls/sys_{enter,exit}_NAME: perf_syscall_enter copies the arguments into a perf
 * buffer, then runs the program array) and one tp_btf sys_enter/sys_exit dispatcher that tail-calls
 * a handler from a program array indexed by syscall number (an empty slot falls through: the array
 * is the bitmap). Every handler does the same small work (one per-CPU counter), so the difference
 * is the path to it. Never part of a sensor.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_SLOTS 512

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} enter_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} exit_calls SEC(".maps");

static __always_inline int work(__u64 v)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&hits, &k);
	if (c)
		*c += v | 1;
	return 0;
}

/* The perf way: one program per syscall and direction. */
#define TP_PAIR(name)                                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                     \
	int tp_enter_##name(struct trace_event_raw_sys_enter *ctx) { return work(ctx->args[0]); } \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                      \
	int tp_exit_##name(struct trace_event_raw_sys_exit *ctx) { return work(ctx->ret); }

TP_PAIR(openat)
TP_PAIR(close)
TP_PAIR(read)
TP_PAIR(mincore) /* a call the loops never make: what enabling the syscall tracepoints costs the others */

/* The dispatcher way: one pair for all syscalls, a handler per syscall reached by a tail call. */
SEC("tp_btf/sys_enter")
int BPF_PROG(disp_enter, struct pt_regs *regs, long id)
{
	if ((unsigned long)id < NR_SLOTS)
		bpf_tail_call(ctx, &enter_calls, id);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(disp_exit, struct pt_regs *regs, long ret)
{
	unsigned long id = regs->orig_ax;
	if (id < NR_SLOTS)
		bpf_tail_call(ctx, &exit_calls, id);
	return 0;
}

/* Tail-call targets (same attach point as the dispatcher), never attached themselves. */
SEC("tp_btf/sys_enter")
int BPF_PROG(h_enter, struct pt_regs *regs, long id)
{
	return work(regs->di);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(h_exit, struct pt_regs *regs, long ret)
{
	return work(ret);
}

/* What any program on every syscall costs: the floor of a dispatcher. */
SEC("tp_btf/sys_enter")
int BPF_PROG(noop_enter, struct pt_regs *regs, long id)
{
	return 0;
}

/* With noop_enter: the floor of a pair (the 32-bit dispatcher is one), for hook_hold.c. */
SEC("tp_btf/sys_exit")
int BPF_PROG(noop_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
