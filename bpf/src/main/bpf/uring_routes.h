/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Which sensor's io_uring handler takes a ring request of each opcode (include/uapi/linux/io_uring.h
 * numbers), at its submission (tp_btf/io_uring_submit_req) and at its completion
 * (tp_btf/io_uring_complete): the shared dispatcher (uring_dispatch.bpf.c) tail-calls the handler
 * in the request's opcode slot, so an opcode has one handler per tracepoint. X(opcode, sensor)
 * lists, plain C without BPF types: the bench's uring_path_stats.c plugs handlers from them too.
 * Java's UringRoutes holds the same lists (UringRoutesTest compares them with this file).
 */
#ifndef EUNOMIA_URING_ROUTES_H
#define EUNOMIA_URING_ROUTES_H

/* file.bpf.c io_uring_file_submitted: OPENAT, OPENAT2, FTRUNCATE;
 * net.bpf.c io_uring_net_submitted: SENDMSG, ACCEPT, CONNECT, SEND, SOCKET, SEND_ZC, SENDMSG_ZC;
 * priv.bpf.c io_uring_priv_submitted: FSETXATTR, SETXATTR */
#define URING_SUBMIT_ROUTES(X) \
	X(18, file) X(28, file) X(55, file) \
	X(9, net) X(13, net) X(16, net) X(26, net) X(45, net) X(47, net) X(48, net) \
	X(41, priv) X(42, priv)

/* file.bpf.c io_uring_open_done: OPENAT, OPENAT2, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT, FTRUNCATE;
 * net.bpf.c io_uring_net_done: SENDMSG, ACCEPT, CONNECT, SEND, SOCKET, SEND_ZC, SENDMSG_ZC (a send with a
 * destination is reported with its completion's result), BIND, LISTEN;
 * priv.bpf.c io_uring_priv_done: FSETXATTR, SETXATTR */
#define URING_COMPLETE_ROUTES(X) \
	X(18, file) X(28, file) X(35, file) X(36, file) X(37, file) X(38, file) X(39, file) X(55, file) \
	X(9, net) X(13, net) X(16, net) X(26, net) X(45, net) X(47, net) X(48, net) X(56, net) X(57, net) \
	X(41, priv) X(42, priv)

/* Slots of the dispatcher's program arrays: an opcode above the last is handed to nobody. */
#define URING_OPCODE_SLOTS 64

#endif /* EUNOMIA_URING_ROUTES_H */
