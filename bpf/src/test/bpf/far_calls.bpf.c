// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Test object (StackDepthTest): a program longer than 32K instructions whose calls span more than 32767
 * of them, forward and back, as file.bpf.o's compat_exit's do. After the JIT the kernel keeps a call's
 * relative target in the instruction's 16-bit off for dumps, cut to its low 16 bits for such calls;
 * stack_depths.c must still name each callee. Layout (libbpf appends a subprogram where it is first
 * called): far_calls [0: calls near_filler far ahead, filler, calls far_back near], near_filler [1],
 * far_back [2: filler, calls near_filler far behind]. Each frame has its own size (32, 64, 128 bytes)
 * so that the chain the test reads back is the one it built.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* 34,000 instructions that do nothing the verifier must branch on: more than a 16-bit offset reaches */
#define FILLER() asm volatile(".rept 34000\n r0 = 0\n .endr" ::: "r0")

static __noinline int near_filler(int x)
{
	volatile char b[64];
	b[x & 63] = x;
	return b[(x + 1) & 63];
}

static __noinline int far_back(int x)
{
	volatile char b[128];
	b[x & 127] = x;
	FILLER();
	return near_filler(b[(x + 3) & 127]);
}

SEC("tp_btf/sys_enter")
int far_calls(__u64 *ctx)
{
	volatile char b[32];
	int x = (int)bpf_get_prandom_u32();
	b[x & 31] = near_filler(x);
	FILLER();
	return far_back(b[(x + 2) & 31]);
}
