/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Whether the current syscall is a 32-bit one (ia32 on x86_64, aarch32 on arm64): those have
 * their own numbering and must never be mixed with the native ABI's.
 */
#ifndef EUNOMIA_COMPAT_BPF_H
#define EUNOMIA_COMPAT_BPF_H

#if defined(__TARGET_ARCH_x86)
#define TS_COMPAT 0x0002       /* arch/x86/include/asm/thread_info.h: ia32 syscall in progress */
static __always_inline bool compat_call(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT;
}
#elif defined(__TARGET_ARCH_arm64)
#define TIF_32BIT 22           /* arch/arm64/include/asm/thread_info.h: an aarch32 task */
static __always_inline bool compat_call(struct task_struct *task)
{
	return task->thread_info.flags & (1UL << TIF_32BIT);
}
#else
static __always_inline bool compat_call(struct task_struct *task)
{
	return false;
}
#endif

#endif /* EUNOMIA_COMPAT_BPF_H */
