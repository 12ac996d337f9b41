/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * io_uring facts the file and net sensors share: the ring's registered ("fixed", "direct") file
 * table, where an open, accept or socket request with a file_index puts its new file instead of
 * the process's fd table.
 */
#ifndef EUNOMIA_URING_BPF_H
#define EUNOMIA_URING_BPF_H

#include "common.bpf.h"

/* sqe->file_index: the kernel picks the slot and returns it as the result (IORING_FILE_INDEX_ALLOC). */
#define IORING_FILE_INDEX_ALLOC_ (~0U)
/* io_rsrc_node.file_ptr keeps flags in its two low bits (FFS_NOWAIT, FFS_ISREG). */
#define FFS_FLAGS_ 3UL

/*
 * The file a request with file_slot (sqe->file_index: slot + 1, or IORING_FILE_INDEX_ALLOC) put into
 * the ring's table, read at its completion: res is 0 for a chosen slot, the slot for an allocated
 * one. NULL when it failed or the slot is empty again (a later request of the same batch closed it
 * before the completion was posted).
 */
static __always_inline struct file *ring_slot_file(struct io_kiocb *req, __u32 file_slot, long res)
{
	if (res < 0 || file_slot == 0)
		return NULL;
	__u32 slot = file_slot == IORING_FILE_INDEX_ALLOC_ ? (__u32)res : file_slot - 1;
	struct io_ring_ctx *ring = BPF_CORE_READ(req, ctx);
	if (slot >= BPF_CORE_READ(ring, file_table.data.nr))
		return NULL;
	struct io_rsrc_node **nodes = BPF_CORE_READ(ring, file_table.data.nodes);
	struct io_rsrc_node *node = NULL;
	bpf_core_read(&node, sizeof(node), &nodes[slot]);
	if (!node)
		return NULL;
	return (struct file *)(BPF_CORE_READ(node, file_ptr) & ~FFS_FLAGS_);
}

#endif /* EUNOMIA_URING_BPF_H */
