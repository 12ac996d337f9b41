// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * The one program on each io_uring tracepoint that the sensors watch requests at (submission,
 * completion): it loads the request's opcode and tail-calls the handler plugged into that opcode's
 * slot (uring_routes.h), the file or net sensor's program of the same tracepoint. Every ring
 * request paid one program run per sensor before (two at each point, ~50-70 ns each on this
 * machine, nearly all of it the run's own overhead); it pays one now, and a request of an opcode
 * nobody watches (reads, writes, polls...) a load and a tail call to an empty slot, which falls
 * through. Tail calls between tp_btf programs need the same attach point (the kernel compares the
 * attach function prototype): the handlers keep their sections and are never attached themselves.
 * Loaded and attached by user space (io.eunomia.bpf.internal.UringDispatch) while at least one
 * sensor with a handler is attached; each sensor fills its opcodes' slots when it is attached and
 * empties them when it is detached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "uring_routes.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, URING_OPCODE_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} uring_submit_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, URING_OPCODE_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} uring_complete_calls SEC(".maps");

/*
 * One tail call per routed opcode, each with its constant slot: the JIT makes a constant-slot tail
 * call a direct jump it patches when the slot changes, whereas a computed slot is an indirect jump,
 * through a retpoline where the kernel mitigates Spectre v2 (this machine: ~30 ns more per
 * request). Written in asm because clang merges the cases' bpf_tail_call()s into one call with a
 * computed slot. An opcode nobody routes returns at once, without a tail call.
 */
#define TAIL_CALL_SLOT(calls, op)                                                     \
	case op:                                                                      \
		asm volatile("r1 = %[c]; r2 = %[m] ll; r3 = %[k]; call 12;"           \
			     :: [c] "r"(ctx), [m] "i"(calls), [k] "i"(op)                  \
			     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");              \
		return 0;
#define SUBMIT_CASE(op, sensor) TAIL_CALL_SLOT(&uring_submit_calls, op)
#define COMPLETE_CASE(op, sensor) TAIL_CALL_SLOT(&uring_complete_calls, op)

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(uring_dispatch_submit, struct io_kiocb *req)
{
	switch (req->opcode) {
	URING_SUBMIT_ROUTES(SUBMIT_CASE)
	}
	return 0;
}

/* A typed view of kernel memory (the verifier turns the call into a move): a direct load, no probe-read helper. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* The tracepoint passes the request untyped (void *req). */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_dispatch_complete, struct io_ring_ctx *ring, void *request, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = bpf_rdonly_cast(request, bpf_core_type_id_kernel(struct io_kiocb));
	switch (req->opcode) {
	URING_COMPLETE_ROUTES(COMPLETE_CASE)
	}
	return 0;
}
