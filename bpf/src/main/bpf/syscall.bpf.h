/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Syscall sensors hook the per-syscall tracepoints (tracepoint/syscalls/sys_{enter,exit}_NAME),
 * which cost nothing for the syscalls we do not watch. The enter program keeps the arguments per
 * thread; the exit program builds the record with the result, so every event carries it.
 */
#ifndef EUNOMIA_SYSCALL_BPF_H
#define EUNOMIA_SYSCALL_BPF_H

#include "common.bpf.h"

struct syscall_args {
	__u64 args[6];
	__s64 nr;
};

/* LRU: a thread that dies inside a syscall (exit, execve) must not leak its entry forever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct syscall_args);
} pending_args SEC(".maps");

static __always_inline int save_args(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (skip_task(task, id >> 32))
		return 0;
	struct syscall_args a = {};
	a.nr = BPF_CORE_READ(ctx, id);
	#pragma unroll
	for (int i = 0; i < 6; i++)
		a.args[i] = BPF_CORE_READ(ctx, args[i]);
	bpf_map_update_elem(&pending_args, &id, &a, BPF_ANY);
	return 0;
}

/*
 * The exit half every pair shares: finds what enter kept and hands it to handler,
 *   static __always_inline int handler(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
 * which runs only for threads whose enter passed the filter.
 */
#define SYSCALL_EXIT(name, handler)                                                   \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                             \
		__u64 id = bpf_get_current_pid_tgid();                                \
		struct syscall_args *a = bpf_map_lookup_elem(&pending_args, &id);     \
		if (!a)                                                               \
			return 0;                                                     \
		handler(ctx, a);                                                      \
		bpf_map_delete_elem(&pending_args, &id);                              \
		return 0;                                                             \
	}

/* The enter/exit pair for one syscall: enter keeps the arguments, exit reports with the result. */
#define SYSCALL_PAIR(name, handler)                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		return save_args(ctx);                                                \
	}                                                                             \
	SYSCALL_EXIT(name, handler)

/*
 * SYSCALL_PAIR plus on_enter(ctx, a), run at enter for threads that passed the filter, for
 * arguments whose user memory must be copied before the kernel acts on it (a blocking call
 * leaves other threads all the time they need to rewrite the buffer before exit reads it).
 *   static __always_inline void on_enter(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
 */
#define SYSCALL_PAIR_ENTER(name, on_enter, handler)                                  \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		__u64 id = bpf_get_current_pid_tgid();                                \
		save_args(ctx);                                                       \
		struct syscall_args *a = bpf_map_lookup_elem(&pending_args, &id);     \
		if (a)                                                                \
			on_enter(ctx, a);                                             \
		return 0;                                                             \
	}                                                                             \
	SYSCALL_EXIT(name, handler)

/* A pair whose enter only keeps calls keep(ctx) accepts (a cheap look at the arguments). */
#define SYSCALL_PAIR_IF(name, keep, handler)                                          \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		if (!keep(ctx))                                                       \
			return 0;                                                     \
		return save_args(ctx);                                                \
	}                                                                             \
	SYSCALL_EXIT(name, handler)

#endif /* EUNOMIA_SYSCALL_BPF_H */
