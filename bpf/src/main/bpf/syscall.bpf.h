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
	/*
	 * Set by an on_enter that could not read the user memory it copies: bpf_probe_read_user cannot
	 * fault a page in, so data in a page the caller never touched (a fresh file mapping) fails at
	 * enter; the exit reads it again, after the kernel's own copy faulted it in.
	 */
	__u64 cold;
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
	/*
	 * Probe reads, not direct loads: a program's direct ctx loads may not pass its tracepoint's record,
	 * which holds only the call's own arguments (attaching enter_setuid fails with EACCES).
	 */
	a.nr = BPF_CORE_READ(ctx, id);
	#pragma unroll
	for (int i = 0; i < 6; i++)
		a.args[i] = BPF_CORE_READ(ctx, args[i]);
	bpf_map_update_elem(&pending_args, &id, &a, BPF_ANY);
	return 0;
}

/*
 * An exit without its entry, for a thread the filter passes: its entry was evicted from the LRU
 * map (more threads inside watched calls at once than the map holds), so its event is lost; count
 * it. Also counted: a call that was already under way when the sensor attached, or when the filter
 * changed. Misses of filtered threads are the usual case and cost the filter's check only.
 */
static __always_inline void count_missing_entry(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (!skip_task(task, bpf_get_current_pid_tgid() >> 32))
		count_drop(DROP_EVICTED);
}

/*
 * The exit half every pair shares: finds what enter kept and hands it to handler,
 *   static __always_inline int handler(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
 * which runs only for threads whose enter passed the filter. on_miss runs when nothing was kept
 * (count_missing_entry, or NO_MISS where enter keeps only some calls).
 */
#define SYSCALL_EXIT(name, handler, on_miss)                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                             \
		__u64 id = bpf_get_current_pid_tgid();                                \
		struct syscall_args *a = bpf_map_lookup_elem(&pending_args, &id);     \
		if (!a) {                                                             \
			on_miss();                                                    \
			return 0;                                                     \
		}                                                                     \
		handler(ctx, a);                                                      \
		bpf_map_delete_elem(&pending_args, &id);                              \
		return 0;                                                             \
	}

/*
 * An exit program alone, for calls whose handler needs nothing copied at enter: the arguments are
 * read at exit from the task's saved registers, which a system call leaves as it found them (the
 * enter tracepoint runs after ptrace and seccomp had their say; arm64 keeps the first argument in
 * orig_x0). No enter program runs and no per-thread entry is stored and deleted for every call:
 * for an open, that enter program and the LRU hash were about half of the cost.
 */
static __always_inline bool exit_args(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return false;
	a->nr = ctx->id;
	/* Direct loads from the verifier-typed registers: five probe-read calls were ~100-250 ns per call. */
	a->args[0] = PT_REGS_PARM1_SYSCALL(regs);
	a->args[1] = PT_REGS_PARM2_SYSCALL(regs);
	a->args[2] = PT_REGS_PARM3_SYSCALL(regs);
	a->args[3] = PT_REGS_PARM4_SYSCALL(regs);
	a->args[4] = PT_REGS_PARM5_SYSCALL(regs);
	/* args[5] stays 0: libbpf 1.1 has no PT_REGS_PARM6_CORE_SYSCALL and no user needs it yet. */
	return true;
}

/* SYSCALL_EXIT_ONLY for the calls whose result keep(ctx) accepts; nothing else is read for the others. */
#define SYSCALL_EXIT_ONLY_IF(name, keep, handler)                                     \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                             \
		if (!keep(ctx))                                                       \
			return 0;                                                     \
		struct task_struct *task = (struct task_struct *)bpf_get_current_task(); \
		if (skip_task(task, bpf_get_current_pid_tgid() >> 32))                \
			return 0;                                                     \
		struct syscall_args a = {};                                           \
		if (exit_args(ctx, &a))                                               \
			handler(ctx, &a);                                             \
		return 0;                                                             \
	}

/* A sys_enter record made of kept arguments, for a keep filter written for the enter tracepoint's. */
static __always_inline struct trace_event_raw_sys_enter *enter_record_of(struct syscall_args *a,
									 struct trace_event_raw_sys_enter *r)
{
	r->id = a->nr;
	#pragma unroll
	for (int i = 0; i < 6; i++)
		r->args[i] = a->args[i];
	return r;
}

/*
 * SYSCALL_EXIT_ONLY for a call whose keep(ctx) filter (SYSCALL_PAIR_IF's, on a sys_enter record) reads
 * only integer arguments, which the saved registers still hold at exit: the filter runs there, on a
 * record made of them. A call it drops (every inet socket() a client makes, kill(pid, 0) probes) pays one
 * program instead of an enter program and an exit program's failed pending_args lookup (issue 15).
 */
#define SYSCALL_EXIT_ONLY_KEEP(name, keep, handler)                                   \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                             \
		struct syscall_args a = {};                                           \
		if (!exit_args(ctx, &a))                                              \
			return 0;                                                     \
		struct trace_event_raw_sys_enter r = {};                              \
		if (!keep(enter_record_of(&a, &r)))                                   \
			return 0;                                                     \
		struct task_struct *task = (struct task_struct *)bpf_get_current_task(); \
		if (!skip_task(task, bpf_get_current_pid_tgid() >> 32))               \
			handler(ctx, &a);                                             \
		return 0;                                                             \
	}
static __always_inline bool ANY_RESULT(struct trace_event_raw_sys_exit *ctx) { return true; }

#define SYSCALL_EXIT_ONLY(name, handler) SYSCALL_EXIT_ONLY_IF(name, ANY_RESULT, handler)

static __always_inline void NO_MISS(void) {}

/* The enter/exit pair for one syscall: enter keeps the arguments, exit reports with the result. */
#define SYSCALL_PAIR_ON_MISS(name, handler, on_miss)                                  \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		return save_args(ctx);                                                \
	}                                                                             \
	SYSCALL_EXIT(name, handler, on_miss)

#define SYSCALL_PAIR(name, handler) SYSCALL_PAIR_ON_MISS(name, handler, count_missing_entry)

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
	SYSCALL_EXIT(name, handler, count_missing_entry)

/*
 * SYSCALL_EXIT_ONLY for execve/execveat, whose successes sched_process_exec reports: the result is
 * read first, so a successful exec (whose registers are the new program's by now) costs that one
 * read, and only a failed one, whose registers are as the call found them, reads its arguments.
 * An enter program and a per-thread entry for every exec were ~1.5 us of each exec on this VM.
 */
static __always_inline bool FAILED(struct trace_event_raw_sys_exit *ctx) { return ctx->ret < 0; }

#define SYSCALL_EXIT_ONLY_FAILED(name, handler) SYSCALL_EXIT_ONLY_IF(name, FAILED, handler)

/* A pair whose enter only keeps calls keep(ctx) accepts (a cheap look at the arguments). */
#define SYSCALL_PAIR_IF(name, keep, handler)                                          \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		if (!keep(ctx))                                                       \
			return 0;                                                     \
		return save_args(ctx);                                                \
	}                                                                             \
	SYSCALL_EXIT(name, handler, NO_MISS)


/*
 * 32-bit calls (int $0x80, sysenter, ia32 programs) on x86_64 never reach the syscalls:* tracepoints:
 * the kernel leaves them out on purpose (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS; their numbers mean other
 * calls). Without this, a program that opens /etc/shadow through int $0x80 is invisible to every
 * per-syscall sensor. COMPAT_PROGRAMS(CALLS, ADJUST, SLOT) adds a sys_enter/sys_exit pair that is
 * never attached: the shared dispatcher (compat32.bpf.c) tail-calls it from its slot SLOT of the
 * program arrays in compat_dispatch.bpf.h for 32-bit calls only, so native calls pay for one pair
 * whatever the number of sensors. For a 32-bit call listed in CALLS, it keeps the arguments (from the
 * ia32 registers, under the native number, so the record and its decoder are the native call's) and
 * runs the same handler at exit; then it passes the call on to the next slots. CALLS(X) lists
 * X(ia32 nr, native nr, on_enter, handler); on_enter is NO_ENTER or what SYSCALL_PAIR_ENTER would
 * run, ADJUST rewrites a call multiplexed by the 32-bit ABI (socketcall) before its lookup, or is
 * NO_ADJUST. A call the native sensor filters at enter (SYSCALL_PAIR_IF) is filtered at exit here,
 * with COMPAT_IF(keep, handler) as its handler. The numbers are from
 * abi/src/main/resources/io/eunomia/abi/syscalls-{x86,x86_64}.tsv (CompatCallsTest checks them).
 * Other architectures: aarch32 tasks on arm64 do reach the tracepoints' compat path the same way,
 * not covered yet (no such machine to test on).
 */
static __always_inline void NO_ENTER(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a) {}

#if defined(__TARGET_ARCH_x86)
#include "compat.bpf.h"
#include "compat_dispatch.bpf.h"

#define COMPAT_NATIVE_CASE(ia32, native, on_enter, handler) case ia32: a->nr = native; break;
#define COMPAT_ENTER_CASE(ia32, native, on_enter, handler) case native: on_enter(NULL, a); break;
#define COMPAT_EXIT_CASE(ia32, native, on_enter, handler) case native: compat_exit_##native(&x, a); break;
/* One subprogram per call: inlined into one program, all the handlers overflow its jump offsets. */
#define COMPAT_EXIT_FN(ia32, native, on_enter, handler)                                     \
	static __noinline int compat_exit_##native(struct trace_event_raw_sys_exit *x, struct syscall_args *a) \
	{                                                                                   \
		handler(x, a);                                                              \
		return 0;                                                                   \
	}

/*
 * COMPAT_IF(keep, handler): the handler of a call whose native enter program runs only when
 * keep(ctx) accepts it; keep reads the arguments from a sys_enter record made of the kept ones.
 */
#define COMPAT_IF(keep, handler) compat_if_##keep##_##handler
#define COMPAT_IF_FN(keep, handler)                                                         \
	static __always_inline int COMPAT_IF(keep, handler)(struct trace_event_raw_sys_exit *x, struct syscall_args *a) \
	{                                                                                   \
		struct trace_event_raw_sys_enter r = {};                                    \
		if (keep(enter_record_of(a, &r)))                                           \
			handler(x, a);                                                      \
		return 0;                                                                   \
	}

/* ADJUST(struct syscall_args *a) may rewrite a 32-bit call before it is looked up (socketcall). */
static __always_inline void NO_ADJUST(struct syscall_args *a) {}

#define IA32_SOCKETCALL 102
#define IA32_SOCKET 359
#define IA32_BIND 361
#define IA32_CONNECT 362
#define IA32_LISTEN 363
#define IA32_ACCEPT4 364

/* syscall_args.cold of a socketcall whose args[] could not be read at enter: unpacked at exit. */
#define COLD_SOCKETCALL 2

/*
 * Most 32-bit programs reach the socket calls through socketcall(call, u32 args[]) rather than
 * their own numbers (glibc did until 2.23, musl and Go still may): unpack it into the direct call.
 * args[] in a page never touched (an untouched file mapping) cannot be read at enter: the call is
 * kept as socketcall, marked COLD_SOCKETCALL, and unpacked at exit (compat_report), where the
 * kernel's own copy has faulted the page in.
 */
static __always_inline void unpack_socketcall(struct syscall_args *a)
{
	if (a->nr != IA32_SOCKETCALL)
		return;
	__u32 v[4] = {};
	long call = a->args[0];
	if (bpf_probe_read_user(v, call == 18 ? 16 : 12, (const void *)a->args[1]) != 0) {
		a->cold = COLD_SOCKETCALL;
		return;
	}
	a->cold = 0;
	switch (call) {
	case 1: a->nr = IA32_SOCKET; break;     /* SYS_SOCKET */
	case 2: a->nr = IA32_BIND; break;       /* SYS_BIND */
	case 3: a->nr = IA32_CONNECT; break;    /* SYS_CONNECT */
	case 4: a->nr = IA32_LISTEN; break;     /* SYS_LISTEN */
	case 5:                                 /* SYS_ACCEPT: accept4 without flags */
	case 18: a->nr = IA32_ACCEPT4; break;   /* SYS_ACCEPT4 */
	default: return;
	}
	#pragma unroll
	for (int i = 0; i < 4; i++)
		a->args[i] = v[i];
	if (call == 5)
		a->args[3] = 0;
}

#define COMPAT_PROGRAMS(CALLS, ADJUST, SLOT)                                          \
	CALLS(COMPAT_EXIT_FN)                                                         \
	static __always_inline void compat_on_enter(struct syscall_args *a)           \
	{                                                                             \
		switch (a->nr) {                                                      \
		CALLS(COMPAT_ENTER_CASE)                                              \
		}                                                                     \
	}                                                                             \
	/* The native number of a 32-bit call this sensor watches (after ADJUST), or false. */ \
	static __always_inline bool compat_native(struct syscall_args *a)             \
	{                                                                             \
		switch (a->nr) {                                                      \
		CALLS(COMPAT_NATIVE_CASE)                                             \
		default:                                                              \
			return false;                                                 \
		}                                                                     \
		return true;                                                          \
	}                                                                             \
	static __always_inline void compat_keep(struct pt_regs *regs, long nr)        \
	{                                                                             \
		struct task_struct *task = bpf_get_current_task_btf();                \
		__u64 id = bpf_get_current_pid_tgid();                                \
		if (skip_task(task, id >> 32))                                        \
			return;                                                       \
		/* ia32 arguments: ebx, ecx, edx, esi, edi, ebp (zero-extended) */   \
		struct syscall_args a = {};                                           \
		a.nr = nr;                                                            \
		a.args[0] = (__u32)BPF_CORE_READ(regs, bx);                           \
		a.args[1] = (__u32)BPF_CORE_READ(regs, cx);                           \
		a.args[2] = (__u32)BPF_CORE_READ(regs, dx);                           \
		a.args[3] = (__u32)BPF_CORE_READ(regs, si);                           \
		a.args[4] = (__u32)BPF_CORE_READ(regs, di);                           \
		a.args[5] = (__u32)BPF_CORE_READ(regs, bp);                           \
		ADJUST(&a);                                                           \
		/* A socketcall not unpacked yet (COLD_SOCKETCALL) is kept for its exit. */ \
		if (!compat_native(&a) && a.cold != COLD_SOCKETCALL)                  \
			return;                                                       \
		bpf_map_update_elem(&pending_args, &id, &a, BPF_ANY);                 \
		struct syscall_args *kept = bpf_map_lookup_elem(&pending_args, &id);  \
		if (kept)                                                             \
			compat_on_enter(kept);                                        \
	}                                                                             \
	static __always_inline void compat_report(long ret)                           \
	{                                                                             \
		__u64 id = bpf_get_current_pid_tgid();                                \
		struct syscall_args *a = bpf_map_lookup_elem(&pending_args, &id);     \
		if (!a)                                                               \
			return;                                                       \
		if (a->cold == COLD_SOCKETCALL) {                                     \
			a->cold = 0;                                                  \
			ADJUST(a);                                                    \
			if (a->cold || !compat_native(a)) {                           \
				bpf_map_delete_elem(&pending_args, &id);              \
				return;                                               \
			}                                                             \
			compat_on_enter(a);                                           \
		}                                                                     \
		/* The handlers read only ret from the tracepoint's record. */       \
		struct trace_event_raw_sys_exit x = {};                               \
		x.id = a->nr;                                                         \
		x.ret = ret;                                                          \
		switch (a->nr) {                                                      \
		CALLS(COMPAT_EXIT_CASE)                                               \
		}                                                                     \
		bpf_map_delete_elem(&pending_args, &id);                              \
	}                                                                             \
	/* Not attached: the dispatcher tail-calls them for 32-bit calls only. */    \
	SEC("tp_btf/sys_enter")                                                       \
	int BPF_PROG(compat_enter, struct pt_regs *regs, long nr)                     \
	{                                                                             \
		compat_keep(regs, nr);                                                \
		COMPAT_PASS_ON(ctx, &compat_enter_calls, (SLOT) + 1);                 \
		return 0;                                                             \
	}                                                                             \
	SEC("tp_btf/sys_exit")                                                        \
	int BPF_PROG(compat_exit, struct pt_regs *regs, long ret)                     \
	{                                                                             \
		compat_report(ret);                                                   \
		COMPAT_PASS_ON(ctx, &compat_exit_calls, (SLOT) + 1);                  \
		return 0;                                                             \
	}
#else
#define COMPAT_PROGRAMS(CALLS, ADJUST, SLOT)
#define COMPAT_IF_FN(keep, handler)
#endif

#endif /* EUNOMIA_SYSCALL_BPF_H */
