// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Test-only: a program the verifier must reject (reads past a map value), to prove load errors are clear. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} one SEC(".maps");

SEC("tp_btf/sched_process_exec")
int out_of_bounds(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&one, &zero);
	if (!v)
		return 0;
	return *(v + 64); /* 512 bytes past an 8-byte value */
}
