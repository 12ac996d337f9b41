/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Which sensor's io_uring handler takes a ring request of each opcode (include/uapi/linux/io_uring.h
 * numbers), at its submission (tp_btf/io_uring_submit_req) and at its completion
 * (tp_btf/io_uring_complete): the shared dispatcher (uring_dispatch.bpf.c) tail-calls the handler
 * in the request's opcode slot, so an opcode has one handler per tracepoint. Plain C, no BPF types:
 * the bench's uring_path_stats.c plugs handlers from these lists too. Java's UringDispatch holds the
 * same lists (UringRoutesTest compares them with this file).
 */
#ifndef EUNOMIA_URING_ROUTES_H
#define EUNOMIA_URING_ROUTES_H

/* file.bpf.c io_uring_file_submitted: OPENAT, OPENAT2, FTRUNCATE */
#define URING_SUBMIT_FILE_OPS 18, 28, 55
/* net.bpf.c io_uring_net_submitted: SENDMSG, ACCEPT, CONNECT, SEND, SOCKET, SEND_ZC, SENDMSG_ZC */
#define URING_SUBMIT_NET_OPS 9, 13, 16, 26, 45, 47, 48
/* file.bpf.c io_uring_open_done: OPENAT, OPENAT2, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT, FTRUNCATE */
#define URING_COMPLETE_FILE_OPS 18, 28, 35, 36, 37, 38, 39, 55
/* net.bpf.c io_uring_net_done: ACCEPT, CONNECT, SOCKET, BIND, LISTEN */
#define URING_COMPLETE_NET_OPS 13, 16, 45, 56, 57

/* Slots of the dispatcher's program arrays: an opcode above the last is handed to nobody. */
#define URING_OPCODE_SLOTS 64

#endif /* EUNOMIA_URING_ROUTES_H */
