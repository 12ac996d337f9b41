// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Test stand-in for the 32-bit dispatcher (CompatCallsTest's chain case), for kernels that run no 32-bit code:
 * hands the NATIVE calls fstat (5) and alarm (37) of one process to the sensors' compat programs
 * through the real shared program arrays, as compat32.bpf.c hands 32-bit calls. Those programs then
 * read the ia32 registers and numbers: 5 is open(ebx = path), 37 is kill(ebx = pid, ecx = signal).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "compat_dispatch.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} standin_target SEC(".maps");

static __always_inline bool mine(long nr)
{
	__u32 zero = 0;
	__u32 *tgid = bpf_map_lookup_elem(&standin_target, &zero);
	return tgid && *tgid == bpf_get_current_pid_tgid() >> 32 && (nr == 5 || nr == 37);
}

SEC("tp_btf/sys_enter")
int standin_enter(__u64 *ctx)
{
	if (mine((long)ctx[1]))
		COMPAT_PASS_ON(ctx, &compat_enter_calls, 0);
	return 0;
}

SEC("tp_btf/sys_exit")
int standin_exit(__u64 *ctx)
{
	if (mine(BPF_CORE_READ((struct pt_regs *)ctx[0], orig_ax)))
		COMPAT_PASS_ON(ctx, &compat_exit_calls, 0);
	return 0;
}
