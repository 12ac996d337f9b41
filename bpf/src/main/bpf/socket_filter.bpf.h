/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Which new sockets are worth an event (the privilege sensor's socket call, and a socket made
 * through an io_uring, which the net sensor reports the same way): packet, raw, non-route netlink,
 * AF_ALG and AF_KEY sockets. Every other socket is made all day by every program.
 */
#ifndef EUNOMIA_SOCKET_FILTER_BPF_H
#define EUNOMIA_SOCKET_FILTER_BPF_H

#define AF_NETLINK_NR 16
#define AF_PACKET_NR 17
#define AF_KEY_NR 15
#define AF_ALG_NR 38
#define SOCK_RAW_NR 3
#define SOCK_PACKET_NR 10
#define SOCK_TYPE_MASK 0xf

static __always_inline bool socket_watched(int family, int type, int protocol)
{
	type &= SOCK_TYPE_MASK;
	if (family == AF_PACKET_NR || family == AF_ALG_NR || family == AF_KEY_NR)
		return true;
	if (type == SOCK_RAW_NR || type == SOCK_PACKET_NR)
		return true;
	/* NETLINK_ROUTE (0) is how every program lists interfaces and addresses. */
	return family == AF_NETLINK_NR && protocol != 0;
}

#endif /* EUNOMIA_SOCKET_FILTER_BPF_H */
