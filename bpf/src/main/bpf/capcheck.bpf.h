/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Which capability checks (tp_btf/cap_capable) are a workload's own use, shared by the capability
 * sensor (cap.bpf.c) and profile enforcement (enforce.bpf.c) so that what is learned and what is
 * checked are the same checks.
 */
#ifndef EUNOMIA_CAPCHECK_BPF_H
#define EUNOMIA_CAPCHECK_BPF_H

#include "common.bpf.h"
#include "compat.bpf.h"

#define CAP_MAX 63                             /* one bit per capability in a u64 */
#define PF_KTHREAD_FLAG 0x00200000
#define CAP_SYS_ADMIN_NR 21
#define ENOSYS_NR 38
#define PROBE_FRAMES 8
#define PROBE_CALLER_SPAN 512  /* bytes from the function start where its call may return to */

/*
 * The kernel's memory accounting asks "is this CAP_SYS_ADMIN?" (noaudit) on nearly every mmap,
 * brk, fork and exec, only to size an admin reserve. Counted as use, it would put
 * CAP_SYS_ADMIN into every root container's learned profile, and its denials would mask real
 * ones. Resolved from kallsyms at load; weak so that a kernel without it still loads.
 */
extern const void security_vm_enough_memory_mm __ksym __weak;

/* Stack walks made for the probe question, per CPU: what is still decided the slow way (tests, bench). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} probe_stack_walks SEC(".maps");

/* Whether the kernel stack shows this check coming from the memory-accounting probe. */
static __always_inline bool memory_accounting_probe(void *ctx)
{
	__u64 fn = (__u64)&security_vm_enough_memory_mm;
	__u64 frames[PROBE_FRAMES] = {};
	if (!fn)
		return false;
	__u32 zero = 0;
	__u64 *walks = bpf_map_lookup_elem(&probe_stack_walks, &zero);
	if (walks)
		*walks += 1;
	if (bpf_get_stack(ctx, frames, sizeof(frames), 0) <= 0)
		return false;
	#pragma unroll
	for (int i = 0; i < PROBE_FRAMES; i++)
		if (frames[i] - fn < PROBE_CALLER_SPAN)
			return true;
	return false;
}

/*
 * The system call the task is in, or -1 (checks in page faults and other exceptions). task: the
 * verifier-known current task (bpf_get_current_task_btf), as in every function here: its fields and
 * its registers by direct loads, not probe-read helper calls (~50 ns each on this VM; every mmap,
 * brk and mprotect makes a check that passes here). Its pointer fields through KVIEW: loaded from
 * the trusted task, each makes the verifier search vmlinux BTF by name (fill_header).
 */
static __always_inline __s32 current_syscall(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		return -1;
#if defined(__TARGET_ARCH_x86)
	/* Syscall entry sets ax to -ENOSYS until the result is stored; exceptions keep the
	 * user's ax and put an error code into orig_ax, which must not be read as a number. */
	if ((long)regs->ax != -ENOSYS_NR)
		return -1;
	return (__s32)regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return (__s32)regs->syscallno;
#else
	return -1;
#endif
}

/*
 * The native calls whose CAP_SYS_ADMIN checks are the memory-accounting probe without asking the
 * stack. mmap, mprotect, munmap, brk and mremap map, unmap or resize memory and make no other
 * CAP_SYS_ADMIN check (the default rules' implicit_capability_syscalls list them too).
 * bpf_get_stack costs 2.5-3.7 us per check (bpf_stats, an mmap loop), and malloc-heavy programs
 * make one per anonymous mmap or brk.
 *
 * execve and execveat: every exec makes four of them (bpftrace on cap_capable, 300 x /bin/true:
 * the new stack in alloc_bprm and setup_arg_pages, the ELF's and the interpreter's mappings in
 * elf_load), ~13 us per exec through the stack. The exec path itself checks no other capability
 * with CAP_SYS_ADMIN in the caller's own credentials: a setuid or file-capability exec changes
 * credentials without a check, a tracer's CAP_SYS_PTRACE is checked with the tracer's
 * credentials, overlayfs's checks run with its mounter's (both left out below anyway), file
 * permission checks ask CAP_DAC_*. Known exception, accepted: a FUSE file system mounted with
 * allow_sys_admin_access checks CAP_SYS_ADMIN when the exec opens one of its files.
 *
 * Page faults (stack growth) and clone3 (its flags are in user memory) still ask the stack.
 */
static __always_inline bool memory_call(__s32 nr)
{
#if defined(__TARGET_ARCH_x86)
	/* mmap mprotect munmap brk mremap, execve execveat */
	return nr == 9 || nr == 10 || nr == 11 || nr == 12 || nr == 25 || nr == 59 || nr == 322;
#elif defined(__TARGET_ARCH_arm64)
	/* mmap mprotect munmap brk mremap, execve execveat */
	return nr == 222 || nr == 226 || nr == 215 || nr == 214 || nr == 216 || nr == 221 || nr == 281;
#else
	return false;
#endif
}

/* CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET */
#define CLONE_NEW_NAMESPACES 0x7E020000ULL

/*
 * A fork that copies the address space (fork, vfork, clone without CLONE_VM) asks the probe once
 * per accounted mapping it copies (dup_mmap): bash's fork of a subshell or of a command made 14
 * (bpftrace, 100 x /bin/true from bash), ~42 us per fork through the stack. copy_process asks
 * CAP_SYS_ADMIN for real only (a) to create a namespace (CLONE_NEW*, which fork and vfork cannot
 * ask), (b) for set_tid and CLONE_INTO_CGROUP, which only clone3 has, and (c) when a user other
 * than root (kuid 0, INIT_USER) is over RLIMIT_NPROC. So a fork, vfork or clone without CLONE_NEW*
 * by a task whose real uid is root checks CAP_SYS_ADMIN only for the probe; other users' forks
 * still ask the stack. Known exception, accepted: a fork inheriting a perf tracepoint event that
 * samples raw data asks perfmon_capable(), CAP_SYS_ADMIN only when CAP_PERFMON is missing (the
 * event's perf_event_open was checked when it was opened).
 */
static __always_inline bool probe_only_fork(struct task_struct *task, struct pt_regs *regs, __s32 nr)
{
	if (KVIEW(task_struct, task)->real_cred->uid.val != 0)
		return false;
#if defined(__TARGET_ARCH_x86)
	/* fork vfork; clone: flags in the first argument (the user's di, kept through the call) */
	if (nr == 57 || nr == 58)
		return true;
	return nr == 56 && !(regs->di & CLONE_NEW_NAMESPACES);
#elif defined(__TARGET_ARCH_arm64)
	/* clone: flags in the first argument (x0 is overwritten by the result, orig_x0 kept) */
	return nr == 220 && !(regs->orig_x0 & CLONE_NEW_NAMESPACES);
#else
	return false;
#endif
}

/* Whether a CAP_SYS_ADMIN check is the memory-accounting probe, decided by the call the task is in. */
static __always_inline bool probe_by_call(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	__s32 nr = current_syscall(task);
	if (!regs || nr < 0 || compat_call(task))
		return false;
	return memory_call(nr) || probe_only_fork(task, regs, nr);
}

/*
 * Whether a check is the current task's own use of a capability: not a kernel thread's (they act
 * for no process), not a check of someone else's credentials (has_capability(other_task), the OOM
 * killer; a file's opener credentials are usually the task's own object, so they stay), not a
 * check with credentials borrowed for the call (overlayfs checks with its mounter's, put in place
 * by override_creds: cred is then the task's cred but not its real_cred; a need of the file
 * system, which the workload cannot drop), and not the memory-accounting probe. Learning, the
 * capability events and enforcement all ask this, so what is learned is what is checked.
 */
static __always_inline bool own_capability_use(void *ctx, struct task_struct *task, const struct cred *cred, int cap)
{
	if (cap < 0 || cap > CAP_MAX)
		return false;
	if (task->flags & PF_KTHREAD_FLAG)
		return false;
	if ((void *)cred != (void *)KVIEW(task_struct, task)->real_cred)
		return false;
	if (cap == CAP_SYS_ADMIN_NR && (probe_by_call(task) || memory_accounting_probe(ctx)))
		return false;
	return true;
}

#endif /* EUNOMIA_CAPCHECK_BPF_H */
