// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Test-only: another program the verifier must reject, for another reason than rejected.bpf.c
 * (a hash map lookup's result used without its NULL check), so that two rejections verified at once
 * show whose log is whose.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} other SEC(".maps");

SEC("tp_btf/sched_process_exec")
int unchecked_lookup(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&other, &zero);
	return *v;
}
