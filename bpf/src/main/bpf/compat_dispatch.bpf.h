/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The 32-bit call dispatch shared by the sensors (compat32.bpf.c, syscall.bpf.h: COMPAT_PROGRAMS).
 * One sys_enter/sys_exit pair (compat32.bpf.o) is all a native syscall pays for: it returns after
 * one load of the task's status word, and hands a 32-bit call on through these program arrays,
 * whose fds every sensor object reuses (bpf_map__reuse_fd). Each sensor puts its compat program in
 * its own slot when it is attached and takes it out when it is detached; a program passes the call
 * on to the slots after its own, so every sensor loaded sees it whichever are loaded. A tail call to
 * an empty slot falls through. Tail calls between tp_btf programs need the same attach point (the
 * kernel compares the attach function prototype): enter and exit have an array each.
 */
#ifndef EUNOMIA_COMPAT_DISPATCH_BPF_H
#define EUNOMIA_COMPAT_DISPATCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Slots, in the order a call is passed on (Java: io.eunomia.bpf.internal.CompatDispatch). */
#define COMPAT_SLOT_FILE 0
#define COMPAT_SLOT_NET 1
#define COMPAT_SLOT_PRIV 2
#define COMPAT_SLOT_EXEC 3
#define COMPAT_SLOTS 4

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, COMPAT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} compat_enter_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, COMPAT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} compat_exit_calls SEC(".maps");

/* Hands the call to the first filled slot from `from` on (a tail call returns only when its slot is empty). */
#define COMPAT_PASS_ON(ctx, calls, from)                                              \
	do {                                                                          \
		if ((from) <= 0) bpf_tail_call(ctx, calls, 0);                        \
		if ((from) <= 1) bpf_tail_call(ctx, calls, 1);                        \
		if ((from) <= 2) bpf_tail_call(ctx, calls, 2);                        \
		if ((from) <= 3) bpf_tail_call(ctx, calls, 3);                        \
	} while (0)

#endif /* EUNOMIA_COMPAT_DISPATCH_BPF_H */
