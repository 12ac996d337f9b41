// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * The one sys_enter/sys_exit pair that watches 32-bit calls for every sensor (compat_dispatch.bpf.h):
 * a native call returns after one load; a 32-bit one goes on to the sensors' compat programs.
 * Loaded and attached by user space while at least one sensor has its compat programs attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "compat.bpf.h"
#include "compat_dispatch.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int compat_dispatch_enter(__u64 *ctx)
{
	if (compat_call(bpf_get_current_task_btf()))
		COMPAT_PASS_ON(ctx, &compat_enter_calls, 0);
	return 0;
}

SEC("tp_btf/sys_exit")
int compat_dispatch_exit(__u64 *ctx)
{
	if (compat_call(bpf_get_current_task_btf()))
		COMPAT_PASS_ON(ctx, &compat_exit_calls, 0);
	return 0;
}
