// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Network sensor: connect, accept, accept4, bind, listen, each with its result, the socket's
 * family, type and protocol, and its local and remote addresses.
 *
 * Where an address comes from, and why:
 *  - A call that succeeded is described by the kernel's own socket (struct sock), not by the
 *    user's sockaddr: that is what the kernel really did (bind to port 0 shows the port it
 *    chose; a connect shows the local port it picked), it works when accept's addr is NULL, and
 *    it cannot be spoofed by a thread that rewrites the sockaddr after the kernel copied it.
 *  - A call that failed left nothing in the socket, so connect and bind report the sockaddr the
 *    caller passed, copied at sys_enter, just before the kernel's own copy: reading it at exit
 *    would give a racing thread the whole duration of a blocking connect to change it.
 *
 * Not reported, to keep the stream to what rules use:
 *  - AF_NETLINK: system daemons and every `ip`/udev/systemd call bind netlink sockets; they
 *    carry no peer address a rule could match, so they would only flood.
 *  - connect with AF_UNSPEC (dissolves a datagram association), connect returning EALREADY or
 *    EISCONN (a poll on a connect already reported with EINPROGRESS), and accept returning
 *    EAGAIN (a non-blocking server asking whether someone is waiting).
 */
#include "path.bpf.h"
#include "syscall.bpf.h"
#include "uring.bpf.h"
#include "socket_filter.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_UNSPEC_ 0
#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10
#define AF_NETLINK_ 16

#define EAGAIN_ 11
#define EISCONN_ 106
#define EALREADY_ 114
#define EINPROGRESS_ 115

#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000

/* Largest sockaddr we decode: sockaddr_un (2 + 108), rounded up. sockaddr_in6 needs 28. */
#define SOCKADDR_MAX 112

struct saved_addr {
	__u32 len;
	__u8 data[SOCKADDR_MAX];
};

/* A thread's connect/bind sockaddr from enter to exit; armed: its enter ran, its exit has not. */
struct pending_sockaddr {
	__u32 armed;
	struct saved_addr s;
};

/*
 * Per thread in task-local storage, not a hash keyed by thread id: a connect paid an LRU update at
 * enter and a lookup and delete at exit (~450 ns of enter_connect on this VM, bench/README.md); the
 * thread's own slot is a pointer away once made, is freed with the thread, and is never evicted by
 * other threads' calls.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_sockaddr);
} pending_addr SEC(".maps");

/*
 * The net filter (io.eunomia.bpf.NetFilterMap, derived from the loaded rules: io.eunomia.event.NetInterest):
 * socket events no loaded rule can match stay here, judged on the values their record would show
 * (a connect before its record is built: connect_kept), so the kernel judges exactly what user space
 * would see. net_skip's bits 0-7 hold two bits per operation: bit 2*(op-1) keeps back its events
 * whose peer is not loopback (or that have none), bit 2*(op-1)+1 those whose peer is (connects and
 * accepts: 127.0.0.0/8, ::1, ::ffff:127.x.y.z); these 8 are the classes. Bit 8+class: the class's
 * inet and inet6 events are kept back unless their server port (a connect's remote port, the local
 * one of the others: fd.sport) is set in net_ports[bit 16][class] (a port bitmap). The map holds
 * two sets of bitmaps: NetFilterMap writes the one not in use, then the word that switches to it,
 * so a change (a rule reload) is atomic for the programs: each event sees the old setting or the new
 * one. An operation with both of its low bits set returns before any work. 0, the value at load,
 * keeps nothing back (trace, learn, and a monitor whose rules are not known). Enter programs still
 * run for every call (connect/bind save their sockaddr, sends their destination): skipping them
 * would lose an event whose call began before a reload widened the filter.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} net_skip SEC(".maps");

#define NET_CLASSES 8
#define NET_PORT_BYTES 8192  /* 65536 ports, a bit each */
#define NET_BY_PORT_SHIFT 8
#define NET_PORT_BUFFER_BIT 16

struct net_ports {
	__u8 wanted[NET_CLASSES][NET_PORT_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct net_ports);
} net_ports SEC(".maps");

/* Events the net filter kept back (a per-CPU counter). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} net_skipped SEC(".maps");

static __always_inline __u32 net_skip_bits(void)
{
	__u32 *bits = bpf_map_lookup_elem(&net_skip, &(__u32){0});
	return bits ? *bits : 0;
}

static __always_inline void count_net_skipped(void)
{
	__u64 *n = bpf_map_lookup_elem(&net_skipped, &(__u32){0});
	if (n)
		*n += 1;
}

/* Whether every event of this operation is kept back. */
static __always_inline bool net_op_kept(__u16 op)
{
	__u32 both = 3u << (2 * ((op - 1) & 7));
	if ((net_skip_bits() & both) != both)
		return false;
	count_net_skipped();
	return true;
}

/* A peer address on this host: 127.0.0.0/8, ::1, or an IPv4-mapped 127.x.y.z (shown as IPv4). */
static __always_inline bool addr_loopback(__u16 family, const __u8 *a)
{
	if (family == AF_INET_)
		return a[0] == 127;
	if (family != AF_INET6_)
		return false;
	for (int i = 0; i < 10; i++)
		if (a[i])
			return false;
	if (a[10] == 0xff && a[11] == 0xff)
		return a[12] == 127;
	return !a[10] && !a[11] && !a[12] && !a[13] && !a[14] && a[15] == 1;
}

/* Whether the class's port bitmap (when it has one) leaves out port: inet and inet6 events only. */
static __always_inline bool net_port_kept(__u32 bits, __u32 cls, __u16 family, __u16 port)
{
	if (!(bits & (1u << ((NET_BY_PORT_SHIFT + cls) & 31))) || (family != AF_INET_ && family != AF_INET6_))
		return false;
	__u32 buffer = (bits >> NET_PORT_BUFFER_BIT) & 1;
	struct net_ports *p = bpf_map_lookup_elem(&net_ports, &buffer);
	if (!p)
		return false;
	return !(p->wanted[cls & (NET_CLASSES - 1)][(port >> 3) & (NET_PORT_BYTES - 1)] & (1u << (port & 7)));
}

/*
 * Whether an event of op, family, peer address and server port (host order: a connect's remote
 * port, the local one of the others) is kept back (counted when it is).
 */
static __always_inline bool net_kept(__u16 op, __u16 family, const __u8 *remote, __u16 port)
{
	__u32 bits = net_skip_bits();
	if (!bits)
		return false;
	bool loop = (op == NET_CONNECT || op == NET_ACCEPT) && addr_loopback(family, remote);
	__u32 cls = (2 * ((op - 1) & 3) + loop) & (NET_CLASSES - 1);
	if (!(bits & (1u << cls)) && !net_port_kept(bits, cls, family, port))
		return false;
	count_net_skipped();
	return true;
}

/* emit_scratch for a net record, unless the net filter keeps it back. */
static __always_inline void net_emit(struct net_event *e, __u32 off)
{
	if (net_kept(e->op, e->family, e->remote_addr, e->op == NET_CONNECT ? e->remote_port : e->local_port))
		return;
	emit_scratch((char *)e, off);
}

/* connect/bind's sockaddr (a->args[1], a->args[2] bytes) into *s; s->len stays 0 when unreadable. */
static __always_inline void read_sockaddr(struct saved_addr *s, struct syscall_args *a)
{
	__u64 len = a->args[2];
	const void *uaddr = (const void *)a->args[1];

	if (len > SOCKADDR_MAX)
		len = SOCKADDR_MAX;
	if (uaddr && len >= 2 && bpf_probe_read_user(s->data, len, uaddr) == 0)
		s->len = len;
}

static __always_inline void save_sockaddr(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a)
{
	struct pending_sockaddr *p = bpf_task_storage_get(&pending_addr, bpf_get_current_task_btf(), 0,
							  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return;  /* no memory, or the storage busy on this CPU: the exit counts the call as lost */
	p->s.len = 0;
	read_sockaddr(&p->s, a);
	p->armed = 1;
}

/* The sockaddr the current thread's enter kept for the call now exiting, disarmed; NULL when none. */
static __always_inline struct saved_addr *take_sockaddr(void)
{
	struct pending_sockaddr *p = bpf_task_storage_get(&pending_addr, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->armed)
		return NULL;
	p->armed = 0;
	return &p->s;
}

/*
 * The socket behind a file (a ring request's own, fixed or not); NULL when it is not a socket; its
 * type to *type. The file, socket and sock are read through typed views (KVIEW): direct loads, not
 * the five probe-read calls a hop each took (a new connection's record paid ~15 of them).
 */
static __always_inline struct sock *file_sock(struct file *f, __u16 *type)
{
	if (!f)
		return NULL;
	struct file *kf = KVIEW(file, f);
	if ((kf->f_inode->i_mode & S_IFMT_) != S_IFSOCK_)
		return NULL;
	void *priv = kf->private_data;
	if (!priv)
		return NULL;
	struct socket *sock = KVIEW(socket, priv);
	*type = sock->type;
	return sock->sk;
}

/* The current task's socket open as fd, or NULL when fd is not a socket; its type goes to *type. */
static __always_inline struct sock *fd_sock(int fd, __u16 *type)
{
	return file_sock(current_fd_file(fd), type);
}

/* sk's family: sk is a typed view (file_sock), so this is a load. */
static __always_inline __u16 sock_family(struct sock *sk)
{
	return sk->__sk_common.skc_family;
}

/* Appends a unix socket's bound name (raw sun_path bytes); 0 when it has none. */
static __always_inline __u16 put_unix_addr(char *rec, __u32 *off, struct unix_address *ua)
{
	if (!ua)
		return 0;
	int len = KVIEW(unix_address, ua)->len - (int)offsetof(struct sockaddr_un, sun_path);
	if (len <= 0)
		return 0;
	if (len > NET_UNIX_PATH_MAX)
		len = NET_UNIX_PATH_MAX;
	barrier_var(len);
	len &= 127;
	__u32 o = *off & SCRATCH_OFF_MASK;
	if (scratch_full(*off) || bpf_probe_read_kernel(rec + o, len, ua->name[0].sun_path) != 0)
		return 0;
	*off = o + len;
	return len;
}

/* The sock's own address (remote == false) or its peer's, into the record. */
static __always_inline void put_sock_addr(struct net_event *e, char *rec, __u32 *off, struct sock *sk,
					  bool remote)
{
	__u16 family = sock_family(sk);
	__u8 *addr = remote ? e->remote_addr : e->local_addr;

	if (family == AF_INET_) {
		__be32 ip = remote ? sk->__sk_common.skc_daddr : sk->__sk_common.skc_rcv_saddr;
		__builtin_memcpy(addr, &ip, 4);
	} else if (family == AF_INET6_) {
		if (remote)
			bpf_core_read(addr, 16, &sk->__sk_common.skc_v6_daddr);
		else
			bpf_core_read(addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else if (family == AF_UNIX_) {
		struct unix_sock *us = KVIEW(unix_sock, sk);
		if (remote) {
			struct sock *peer = us->peer;
			e->remote_len = peer ? put_unix_addr(rec, off, KVIEW(unix_sock, peer)->addr) : 0;
		} else {
			e->local_len = put_unix_addr(rec, off, us->addr);
		}
		return;
	} else {
		return;
	}
	if (remote)
		e->remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	else
		e->local_port = sk->__sk_common.skc_num;
}

/* The caller's sockaddr, as copied at enter, into the record (unix: appended). */
static __always_inline void put_saved_addr(struct net_event *e, char *rec, __u32 *off, struct saved_addr *s,
					   bool remote)
{
	__u16 family = *(__u16 *)s->data;
	__u8 *addr = remote ? e->remote_addr : e->local_addr;
	__u16 port = 0;

	if (family == AF_INET_ && s->len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (struct sockaddr_in *)s->data;
		__builtin_memcpy(addr, &in->sin_addr, 4);
		port = bpf_ntohs(in->sin_port);
	} else if (family == AF_INET6_ && s->len >= 24) {  /* without scope id, as the kernel accepts */
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)s->data;
		__builtin_memcpy(addr, &in6->sin6_addr, 16);
		port = bpf_ntohs(in6->sin6_port);
	} else if (family == AF_UNIX_) {
		__u32 len = s->len;
		__u32 o = *off & SCRATCH_OFF_MASK;
		if (len <= offsetof(struct sockaddr_un, sun_path) || scratch_full(*off))
			return;
		len -= offsetof(struct sockaddr_un, sun_path);
		if (len > NET_UNIX_PATH_MAX)
			len = NET_UNIX_PATH_MAX;
		barrier_var(len);  /* keep the bound on the register the helper gets */
		len &= 127;
		if (len == 0 || bpf_probe_read_kernel(rec + o, len, s->data + 2) != 0)
			return;
		*off = o + len;
		if (remote)
			e->remote_len = len;
		else
			e->local_len = len;
		return;
	}
	if (remote)
		e->remote_port = port;
	else
		e->local_port = port;
}

/* A zeroed record with the header filled; NULL when there is no scratch space. */
static __always_inline struct net_event *new_event(struct task_struct *task, __s32 nr, long ret, __u16 op, int fd)
{
	char *rec = get_scratch();
	if (!rec)
		return NULL;
	struct net_event *e = (struct net_event *)rec;
	__builtin_memset(e, 0, sizeof(*e));
	fill_header(&e->h, task, EVT_NET, nr);
	e->h.ret = ret;
	e->op = op;
	e->fd = fd;
	return e;
}

static __always_inline void set_sock_info(struct net_event *e, struct sock *sk, __u16 type)
{
	e->family = sock_family(sk);
	e->sock_type = type;
	e->protocol = sk->sk_protocol;
}

static __always_inline bool succeeded(long ret)
{
	return ret >= 0 || ret == -EINPROGRESS_;
}

/*
 * Whether the net filter keeps back a connect, judged before its record is built on the peer the
 * record would show: the socket's for a connect that succeeded (from_sock; a cgroup connect hook may
 * have rewritten the caller's address), else the caller's sockaddr s. A client connecting to a local
 * server once per request (wrk, a sidecar, a health check) otherwise paid a whole record (~1.5 us)
 * that was then thrown away. Anything else (a unix socket, a short sockaddr) is judged on the record.
 */
static __always_inline bool connect_kept(struct saved_addr *s, struct sock *sk, bool from_sock, __u16 family)
{
	__u8 addr[16] = {};
	__u16 port;
	/* The socket's port by a probe read, not a load: clang would merge it with the sockaddr's into one
	 * load from two kinds of pointer, which the verifier refuses. */
	if (from_sock && family == AF_INET_) {
		__be32 ip = sk->__sk_common.skc_daddr;
		__builtin_memcpy(addr, &ip, 4);
		port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (from_sock && family == AF_INET6_) {
		bpf_core_read(addr, 16, &sk->__sk_common.skc_v6_daddr);
		port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (!from_sock && family == AF_INET_ && s->len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (struct sockaddr_in *)s->data;
		__builtin_memcpy(addr, &in->sin_addr, 4);
		port = bpf_ntohs(in->sin_port);
	} else if (!from_sock && family == AF_INET6_ && s->len >= 24) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)s->data;
		__builtin_memcpy(addr, &in6->sin6_addr, 16);
		port = bpf_ntohs(in6->sin6_port);
	} else {
		return false;
	}
	return net_kept(NET_CONNECT, family, addr, port);
}

/*
 * connect and bind share their shape: a socket fd and a caller's sockaddr. connect's sockaddr is
 * the remote end, bind's the local one.
 */
static __always_inline void addr_call(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, __u16 op)
{
	struct saved_addr *s = take_sockaddr();
	if (net_op_kept(op))
		return;
	if (!s) {
		/* no slot could be made at enter, or the call began before the sensor attached: counted
		 * as count_missing_entry counts it (the exit program already passed the filter) */
		count_drop(DROP_EVICTED);
		return;
	}
	long ret = ctx->ret;
	bool remote = op == NET_CONNECT;
	/*
	 * The sockaddr may have been unreadable at enter (a page not yet faulted in): read again, now
	 * that the kernel's copy faulted it in (a failed call's address is known only from it). Still
	 * unreadable (the kernel's copy failed too): the family comes from the socket, and a
	 * successful call is still reported from it.
	 */
	if (s->len < 2)
		read_sockaddr(s, a);
	bool unread = s->len < 2;
	__u16 family = unread ? AF_UNSPEC_ : *(__u16 *)s->data;

	if (family == AF_NETLINK_ || (op == NET_CONNECT && ((!unread && family == AF_UNSPEC_) ||
							     ret == -EALREADY_ || ret == -EISCONN_)))
		return;

	int fd = a->args[0];
	__u16 type = 0;
	struct sock *sk = fd_sock(fd, &type);
	if (unread && sk)
		family = sock_family(sk);
	if (family == AF_NETLINK_)
		return;
	bool from_sock = sk && succeeded(ret) && sock_family(sk) == family;
	if (remote && connect_kept(s, sk, from_sock, family))
		return;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct net_event *e = new_event(task, a->nr, ret, op, fd);
	if (!e)
		return;
	char *rec = (char *)e;
	__u32 off = sizeof(*e);

	if (sk)
		set_sock_info(e, sk, type);
	/* The family asked for: a mismatch with the socket's fails (EAFNOSUPPORT) but is reported. */
	e->family = family;
	if (remote) {
		/* The local end is known from the socket once the kernel has chosen it. */
		if (sk)
			put_sock_addr(e, rec, &off, sk, false);
		if (from_sock)
			put_sock_addr(e, rec, &off, sk, true);
		else
			put_saved_addr(e, rec, &off, s, true);
	} else {
		if (from_sock)
			put_sock_addr(e, rec, &off, sk, false);
		else
			put_saved_addr(e, rec, &off, s, false);
	}
	net_emit(e, off);
}

static __always_inline void on_connect(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	addr_call(ctx, a, NET_CONNECT);
}

static __always_inline void on_bind(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	addr_call(ctx, a, NET_BIND);
}

/* A listening socket (listen) or an accepted one (accept): everything comes from the socket. */
static __always_inline void sock_call(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, __u16 op)
{
	long ret = ctx->ret;
	if ((op == NET_ACCEPT && ret == -EAGAIN_) || net_op_kept(op))
		return;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* A new connection is described by its own socket; a failed accept by the listener's. */
	int fd = op == NET_ACCEPT && ret >= 0 ? (int)ret : (int)a->args[0];
	__u16 type = 0;
	struct sock *sk = fd_sock(fd, &type);
	if (sk && sock_family(sk) == AF_NETLINK_)
		return;
	struct net_event *e = new_event(task, a->nr, ret, op, fd);
	if (!e)
		return;
	char *rec = (char *)e;
	__u32 off = sizeof(*e);
	if (op == NET_LISTEN)
		e->backlog = a->args[1];
	if (sk) {
		set_sock_info(e, sk, type);
		put_sock_addr(e, rec, &off, sk, false);
		if (op == NET_ACCEPT && ret >= 0)
			put_sock_addr(e, rec, &off, sk, true);
	}
	net_emit(e, off);
}

static __always_inline void on_accept(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	sock_call(ctx, a, NET_ACCEPT);
}

static __always_inline void on_listen(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	sock_call(ctx, a, NET_LISTEN);
}

/*
 * connect and bind: the caller's sockaddr is copied at enter (a racing thread could rewrite it
 * during a blocking connect), the other arguments are read at exit from the saved registers, as
 * for accept: one task-local slot per thread (pending_addr) instead of two hash entries per call.
 */
#define ADDR_CALL(name, handler)                                                      \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		struct task_struct *task = (struct task_struct *)bpf_get_current_task(); \
		if (skip_task(task, bpf_get_current_pid_tgid() >> 32))                \
			return 0;                                                     \
		struct syscall_args a = {};                                           \
		a.args[1] = ctx->args[1];  /* direct ctx loads: no helper call */        \
		a.args[2] = ctx->args[2];                                             \
		save_sockaddr(ctx, &a);                                               \
		return 0;                                                             \
	}                                                                             \
	SYSCALL_EXIT_ONLY(name, handler)

ADDR_CALL(connect, on_connect)
ADDR_CALL(bind, on_bind)
/*
 * accept and listen are described by the kernel's sockets and their fd and backlog arguments,
 * which the saved registers still hold at exit: no enter program, no per-thread entry. A server
 * taking a connection per request paid ~300 ns for enter_accept4 and its LRU update, lookup and
 * delete on every connection (bench/README.md, the web workload).
 */
SYSCALL_EXIT_ONLY(accept, on_accept)
SYSCALL_EXIT_ONLY(accept4, on_accept)
SYSCALL_EXIT_ONLY(listen, on_listen)

/*
 * ---- sendto, sendmsg, sendmmsg with a destination: a datagram's implicit connect ----
 * A UDP socket needs no connect: each datagram may name its destination (a miner's stratum over
 * UDP, a DNS tunnel). Such a send is reported as a connect (op NET_CONNECT, so every rule on
 * connects sees it) whose syscall names the call. The destination is the caller's sockaddr, copied
 * at sys_enter as connect's is (an unconnected socket keeps none); only inet and inet6
 * destinations count (unix datagrams: journald and syslog clients name theirs on every message).
 * A stream socket ignores the address unless MSG_FASTOPEN makes the send its connect. Once per
 * process and destination while dest_seen remembers it: a client that sends each datagram with
 * its address (statsd, DNS over an unconnected socket) is one event, not one per packet. A rule
 * reload empties dest_seen (KernelSensors.forgetReportedDestinations): the new rules see each
 * destination again.
 * sendmmsg: the first MMSG_SCAN messages are read at enter and their first DESTS_MAX distinct
 * destinations each reported; messages past MMSG_SCAN, and destinations past DESTS_MAX, are
 * counted in mmsg_unreported (a burst to many destinations is a scan, which its first ones show).
 * Per call: sendto's enter reads one argument (no destination: done); sendmsg/sendmmsg's reads
 * the message headers' names from user memory; a sendmsg/sendmmsg exit looks its thread up in
 * pending_dest, a sendto exit only when its saved register names a destination.
 */
#define MSG_FASTOPEN_ 0x20000000
#define SOCK_STREAM_ 1
#define DESTS_MAX 8
#define MMSG_SCAN 32

/* An inet or inet6 destination: what dest_seen keys on (with the process) and the record shows. */
struct dest {
	__u16 family;
	__u16 port;   /* network order */
	__u8 addr[16];
};

/*
 * What a failed enter read left to read again at exit (cold): bpf_probe_read_user cannot fault a
 * page in, so a sockaddr or msghdr in a page the caller never touched reads as a fault at enter;
 * by exit the kernel's own copy has faulted it in.
 */
#define COLD_NONE 0
#define COLD_ADDR 1   /* cold_ptr: a sockaddr of cold_len bytes */
#define COLD_MSG 2    /* cold_ptr: a user_msghdr */
#define COLD_MMSG 3   /* cold_ptr: cold_len mmsghdrs */

struct pending_dest {
	__s32 fd;
	__u32 flags;
	__u32 n;      /* destinations in dests */
	__u32 cold;   /* COLD_* */
	__u64 cold_ptr;
	__u64 cold_len;
	struct dest dests[DESTS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct pending_dest);
} pending_dest SEC(".maps");

/* A pending_dest being filled at enter: per CPU, as the scratch record (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending_dest);
} dest_scratch SEC(".maps");

/* sendmmsg messages whose destination was not looked at or not reported (see above), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} mmsg_unreported SEC(".maps");

/* With tgid, the thread-group leader's start time: a reused pid is a new process, not one that
 * reported its destinations already (the key of cap.bpf.c's records). */
struct dest_key {
	__u32 tgid;
	struct dest d;
	__u64 start_time;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct dest_key);
	__type(value, __u8);
} dest_seen SEC(".maps");

/*
 * The current process's key for d. The start time by direct loads through the current task's
 * untrusted view (KVIEW: no BTF name search per verified load, see fill_header): as two
 * BPF_CORE_READ hops it was two helper calls, ~125 ns of every send's destination (bench/README,
 * per-call cost of the global functions).
 */
static __always_inline struct dest_key current_dest_key(const struct dest *d)
{
	struct dest_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .d = *d,
			      .start_time = KVIEW(task_struct, bpf_get_current_task_btf())->group_leader->start_time };
	return k;
}

/* The start of struct user_msghdr (and of struct mmsghdr, whose first member it is). */
struct msg_name_part {
	void *name;
	int namelen;
};

/* A sockaddr's inet or inet6 destination into *d; false for any other family or a short one. */
static __always_inline bool dest_of(const __u8 *sa, __u32 len, struct dest *d)
{
	__u16 family = *(const __u16 *)sa;
	d->family = family;
	if (family == AF_INET_ && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;
		d->port = in->sin_port;
		__builtin_memcpy(d->addr, &in->sin_addr, 4);
		return true;
	}
	if (family == AF_INET6_ && len >= 24) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		d->port = in6->sin6_port;
		__builtin_memcpy(d->addr, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

/*
 * Reads a caller's (user) or the kernel's (from_kernel) sockaddr into *d: DEST_OK, DEST_OTHER (no
 * address, another family, a short one) or DEST_FAULT (the read failed: a page not faulted in).
 */
#define DEST_OTHER 0
#define DEST_OK 1
#define DEST_FAULT 2
static __always_inline int read_dest_at(const void *sa, __u64 len, bool from_kernel, struct dest *d)
{
	__u8 buf[28] = {};
	if (!sa || len < 2)
		return DEST_OTHER;
	if (len > sizeof(buf))
		len = sizeof(buf);
	long err = from_kernel ? bpf_probe_read_kernel(buf, len, sa) : bpf_probe_read_user(buf, len, sa);
	if (err)
		return DEST_FAULT;
	return dest_of(buf, len, d) ? DEST_OK : DEST_OTHER;
}

static __always_inline bool read_dest(const void *sa, __u64 len, bool from_kernel, struct dest *d)
{
	return read_dest_at(sa, len, from_kernel, d) == DEST_OK;
}

/* The entry a call's enter fills, zeroed; NULL for a task not watched. */
static __always_inline struct pending_dest *dest_entry(int fd, __u32 flags)
{
	if (skip_task((struct task_struct *)bpf_get_current_task(), bpf_get_current_pid_tgid() >> 32))
		return NULL;
	struct pending_dest *p = bpf_map_lookup_elem(&dest_scratch, &(__u32){0});
	if (!p)
		return NULL;
	p->fd = fd;
	p->flags = flags;
	p->n = 0;
	p->cold = COLD_NONE;
	return p;
}

/*
 * A send's enter that keeps nothing for its exit removes what an earlier call of the thread left:
 * an enter whose exit was missed (the exit program attached between the two, a thread killed in
 * the call) would otherwise have that entry read, with its fd and destinations, at this call's
 * exit. A lookup first (lock-free; such an entry is rare): a delete takes the bucket's lock.
 */
static __always_inline void forget_pending(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&pending_dest, &id))
		bpf_map_delete_elem(&pending_dest, &id);
}

static __always_inline void keep_dests(struct pending_dest *p)
{
	if (p->n > 0 || p->cold != COLD_NONE)
		bpf_map_update_elem(&pending_dest, &(__u64){bpf_get_current_pid_tgid()}, p, BPF_ANY);
	else
		forget_pending();
}

/* Marks p to be read again at exit (see COLD_*). */
static __always_inline void keep_cold(struct pending_dest *p, __u32 kind, const void *ptr, __u64 len)
{
	p->cold = kind;
	p->cold_ptr = (__u64)ptr;
	p->cold_len = len;
}

/*
 * Whether d is kept back or this process reported it before: report_dest at the exit would stop at these
 * same tests, so such a destination (the common case: a UDP client sends to one server) keeps no entry for
 * its exit (an update, a lookup and a delete of pending_dest, the socket's reads: issue 15), as a ring
 * send's submission does (ring_send_submitted).
 */
static __always_inline bool dest_reported(const struct dest *d)
{
	struct dest_key k = current_dest_key(d);
	return net_kept(NET_CONNECT, d->family, d->addr, bpf_ntohs(d->port)) || bpf_map_lookup_elem(&dest_seen, &k) != NULL;
}

static __always_inline void keep_dest(int fd, __u32 flags, const void *uaddr, __u64 len)
{
	if (!uaddr)
		return;  /* sendto's exit reads no entry then (its saved register); sendmsg's forgets first */
	if (len < 2) {
		forget_pending();
		return;
	}
	struct pending_dest *p = dest_entry(fd, flags);
	if (!p)
		return;
	int r = read_dest_at(uaddr, len, false, &p->dests[0]);
	if (r == DEST_OK && dest_reported(&p->dests[0])) {
		forget_pending();
		return;
	}
	if (r == DEST_OK)
		p->n = 1;
	else if (r == DEST_FAULT)
		keep_cold(p, COLD_ADDR, uaddr, len);
	keep_dests(p);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	keep_dest((int)ctx->args[0], (__u32)ctx->args[3], (const void *)ctx->args[4], ctx->args[5]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct msg_name_part m = {};
	const void *msg = (const void *)ctx->args[1];
	if (bpf_probe_read_user(&m, sizeof(m), msg) != 0) {
		/* A msghdr in an untouched page: its name is read at exit. */
		struct pending_dest *p = msg ? dest_entry((int)ctx->args[0], (__u32)ctx->args[2]) : NULL;
		if (p) {
			keep_cold(p, COLD_MSG, msg, 0);
			keep_dests(p);
		}
		return 0;
	}
	if (!m.name) {
		forget_pending();  /* its exit looks the thread up all the same */
		return 0;
	}
	keep_dest((int)ctx->args[0], (__u32)ctx->args[2], m.name, (__u32)m.namelen);
	return 0;
}

/*
 * The same destination: family, port and the 16 address bytes equal, as five 32-bit words (no
 * memcmp: BPF has no library call for it; struct dest is kept 4-aligned). One test, not one branch
 * per field: with a branch per field the verifier walked every combination of outcomes through
 * mmsg_step's loop (~60k of the ~150k instructions it verified for each send exit program).
 */
static __always_inline bool same_dest(const struct dest *a, const struct dest *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

struct mmsg_scan {
	struct pending_dest *p;
	const struct mmsghdr *msgs;
	__u32 vlen;
	__u32 unreported;
	bool faulted;   /* a header or name read failed: scan again at exit */
	bool again;     /* this is that scan: count nothing twice */
};

/* One message of a sendmmsg: its destination kept unless already kept or DESTS_MAX are. */
static long mmsg_step(__u32 i, void *data)
{
	struct mmsg_scan *c = data;
	if (i >= c->vlen)
		return 1;
	struct msg_name_part m = {};
	struct dest d = {};
	if (bpf_probe_read_user(&m, sizeof(m), &c->msgs[i]) != 0) {
		c->faulted = true;
		return 0;
	}
	int r = read_dest_at(m.name, (__u32)m.namelen, false, &d);
	if (r != DEST_OK) {
		c->faulted |= r == DEST_FAULT;
		return 0;
	}
	struct pending_dest *p = c->p;
	__u32 n = p->n;
	for (__u32 j = 0; j < DESTS_MAX; j++) {
		if (j >= n)
			break;
		struct dest *k = &p->dests[j];
		if (same_dest(k, &d))
			return 0;
	}
	if (n >= DESTS_MAX) {
		c->unreported += !c->again;
		return 0;
	}
	p->dests[n & (DESTS_MAX - 1)] = d;
	p->n = n + 1;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct pending_dest *p = dest_entry((int)ctx->args[0], (__u32)ctx->args[3]);
	if (!p)
		return 0;
	struct mmsg_scan c = { .p = p, .msgs = (const void *)ctx->args[1], .vlen = (__u32)ctx->args[2] };
	bpf_loop(MMSG_SCAN, mmsg_step, &c, 0);
	if (c.faulted)
		keep_cold(p, COLD_MMSG, c.msgs, c.vlen);
	if (c.vlen > MMSG_SCAN)
		c.unreported += c.vlen - MMSG_SCAN;
	if (c.unreported) {
		__u64 *u = bpf_map_lookup_elem(&mmsg_unreported, &(__u32){0});
		if (u)
			*u += c.unreported;
	}
	keep_dests(p);
	return 0;
}

/*
 * Reports d as the connect of the socket sk unless this process reported it before: fd and nr name
 * the call (an io_uring request: no fd, io_uring_enter).
 */
static __always_inline void report_dest(struct task_struct *task, struct sock *sk, __u16 type, int fd, __s32 nr,
					long ret, struct dest *d)
{
	/* Before dest_seen: a destination kept back now is reported once a reload asks for it. */
	if (net_kept(NET_CONNECT, d->family, d->addr, bpf_ntohs(d->port)))
		return;
	struct dest_key k = current_dest_key(d);
	/* The lookup first: a repeated destination (the common case) then costs no failing update. */
	if (bpf_map_lookup_elem(&dest_seen, &k) || bpf_map_update_elem(&dest_seen, &k, &(__u8){1}, BPF_NOEXIST) != 0)
		return;  /* reported before */
	struct net_event *e = new_event(task, nr, ret, NET_CONNECT, fd);
	/* A record that never reached the ring (no scratch, a full ring) leaves the destination
	 * unreported: forgotten again, so a flood cannot hide the next send to it. */
	if (!e) {
		bpf_map_delete_elem(&dest_seen, &k);
		return;
	}
	char *rec = (char *)e;
	__u32 off = sizeof(*e);
	set_sock_info(e, sk, type);
	e->family = d->family;
	put_sock_addr(e, rec, &off, sk, false);
	__builtin_memcpy(e->remote_addr, d->addr, 16);
	e->remote_port = bpf_ntohs(d->port);
	if (!emit_scratch(rec, off))
		bpf_map_delete_elem(&dest_seen, &k);
}

/*
 * report_dest for a send exit's destinations: a global function, checked once per program instead
 * of once for each of the DESTS_MAX a send exit loops over (issue 15). The current task's; sk (its
 * address: plain_addr) is viewed again here, its type in the upper half of type_fd, the fd in the
 * lower (a global function takes at most five arguments). The ring completion programs, whose own
 * stack leaves no room for a call this deep, report their one destination inline.
 */
__noinline int report_send_dest(__u64 sk_addr, __u64 type_fd, __s32 nr, __s64 ret, struct dest *d)
{
	struct sock *sk = KVIEW(sock, sk_addr);
	if (d && sk)
		report_dest((struct task_struct *)bpf_get_current_task(), sk, type_fd >> 32, (int)type_fd, nr, ret, d);
	return 0;
}

/* The socket a send went out on, unless it ignores the address (a stream socket without MSG_FASTOPEN). */
static __always_inline struct sock *dest_sock(struct file *f, __u32 flags, __u16 *type)
{
	struct sock *sk = file_sock(f, type);
	if (!sk || (*type == SOCK_STREAM_ && !(flags & MSG_FASTOPEN_)))
		return NULL;
	return sk;
}

/*
 * The reads that failed at enter, again: the kernel's copy_from_user has faulted the pages in. A
 * message past the first that repeats one read at enter is deduplicated by mmsg_step.
 */
static __always_inline void read_cold(struct pending_dest *p)
{
	const void *ptr = (const void *)p->cold_ptr;
	__u64 len = p->cold_len;
	if (p->cold == COLD_MSG) {
		struct msg_name_part m = {};
		if (bpf_probe_read_user(&m, sizeof(m), ptr) != 0)
			return;
		ptr = m.name;
		len = (__u32)m.namelen;
	}
	if (p->cold == COLD_MMSG) {
		struct mmsg_scan c = { .p = p, .msgs = ptr, .vlen = (__u32)len, .again = true };
		bpf_loop(MMSG_SCAN, mmsg_step, &c, 0);
		return;
	}
	if (p->n == 0 && read_dest(ptr, len, false, &p->dests[0]))
		p->n = 1;
}

static __always_inline int dest_done(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pending_dest *p = bpf_map_lookup_elem(&pending_dest, &id);
	if (!p)
		return 0;
	if (p->cold != COLD_NONE)
		read_cold(p);
	__u16 type = 0;
	struct sock *sk = dest_sock(current_fd_file(p->fd), p->flags, &type);
	char *buf = get_path_buf();
	for (__u32 i = 0; buf && sk && i < DESTS_MAX; i++) {
		if (i >= p->n)
			break;
		report_send_dest(plain_addr(buf, sk), (__u64)type << 32 | (__u32)p->fd, ctx->id, ctx->ret, &p->dests[i]);
	}
	bpf_map_delete_elem(&pending_dest, &id);
	return 0;
}

/* send() is sendto without a destination: the saved register says so without a map lookup. */
SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (regs && !PT_REGS_PARM5_CORE_SYSCALL(regs))
		return 0;
	return dest_done(ctx);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return dest_done(ctx);
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return dest_done(ctx);
}

/* ---- 32-bit calls (syscall.bpf.h: COMPAT_PROGRAMS): X(ia32 nr, x86_64 nr, on_enter, handler) ---- */

/* socketcall is unpacked into these (syscall.bpf.h: unpack_socketcall). */
#define NET_COMPAT_CALLS(X)                                                           \
	X(IA32_CONNECT, 42, save_sockaddr, on_connect)                                \
	X(IA32_BIND, 49, save_sockaddr, on_bind)                                      \
	X(IA32_ACCEPT4, 288, NO_ENTER, on_accept)                                     \
	X(IA32_LISTEN, 50, NO_ENTER, on_listen)

COMPAT_PROGRAMS(NET_COMPAT_CALLS, unpack_socketcall, COMPAT_SLOT_NET)

/*
 * ---- io_uring ----
 * A connect, accept, bind or listen submitted through a ring runs without a system call of its own
 * (with SQPOLL, without any call at all): the per-syscall tracepoints never see it. It is reported
 * from its completion (tp_btf/io_uring_complete), which runs in a thread of the ring's process (the
 * submitter, its SQPOLL thread "iou-sqp-PID" or an io-wq worker): the same process, namespaces and
 * cgroup as the owner, and fill_header names it by the owner's comm. The socket is the request's
 * own file (req->file), also for a registered (fixed) file, so a succeeded call is described by the
 * kernel's socket as a direct one is. A failed connect or bind left nothing in the socket: it is
 * described by the kernel's own copy of the sockaddr, which the request's prep made and the request
 * holds until it is freed (ring_addr_call). Requests that post no completion on success:
 * io_uring_net_submitted.
 */
#define IORING_OP_ACCEPT_ 13
#define IORING_OP_CONNECT_ 16
#define IORING_OP_BIND_ 56
#define IORING_OP_LISTEN_ 57
#define IORING_OP_SOCKET_ 45
/* req->flags: the request holds data its prep made (req->async_data). */
#define REQ_F_ASYNC_DATA_ (1ULL << 22)
#if defined(__TARGET_ARCH_x86)
#define NR_SOCKET_ 41
#elif defined(__TARGET_ARCH_arm64)
#define NR_SOCKET_ 198
#endif

/*
 * A ring connect or bind: as addr_call, with the socket from the request's file. submitted: a
 * connect reported at its submission (ring_skip_submitted), before it ran: its address is the caller's.
 */
static __always_inline void ring_addr_call(struct task_struct *task, struct io_kiocb *req, struct file *file, long ret,
					   __u16 op, bool submitted)
{
	if (net_op_kept(op))
		return;
	__u16 type = 0;
	struct sock *sk = file_sock(file, &type);
	bool remote = op == NET_CONNECT;
	bool from_sock = sk && succeeded(ret) && !submitted;
	/*
	 * The sockaddr, only where the socket cannot tell: a connect or bind that failed (or a connect
	 * not run yet). The kernel's copy where the request holds it: 6.18's prep copies it to the start
	 * of the request's async data, kept until the request is freed after its completion. Taken
	 * only when its family is one a socket could have (another kernel may keep something else
	 * there); else, for a connect, the caller's, read now.
	 */
	struct saved_addr s = {};
	int len = remote ? BPF_CORE_READ((struct io_connect *)&req->cmd, addr_len)
			 : BPF_CORE_READ((struct io_bind *)&req->cmd, addr_len);
	if (len > SOCKADDR_MAX)
		len = SOCKADDR_MAX;
	barrier_var(len);
	len &= 127;
	if (!from_sock && (BPF_CORE_READ(req, flags) & REQ_F_ASYNC_DATA_)) {
		const void *copy = BPF_CORE_READ(req, async_data);
		if (copy && len >= 2 && len <= SOCKADDR_MAX && bpf_probe_read_kernel(s.data, len, copy) == 0) {
			__u16 f = *(__u16 *)s.data;
			if (f == AF_INET_ || f == AF_INET6_ || f == AF_UNIX_)
				s.len = len;
		}
	}
	if (remote && !from_sock && !s.len) {
		const void *uaddr = BPF_CORE_READ((struct io_connect *)&req->cmd, addr);
		if (uaddr && len >= 2 && len <= SOCKADDR_MAX && bpf_probe_read_user(s.data, len, uaddr) == 0)
			s.len = len;
	}
	/* A probe read, not sock_family: clang would merge the two loads into one the verifier refuses. */
	__u16 family = s.len ? *(__u16 *)s.data : (sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : AF_UNSPEC_);
	if (family == AF_NETLINK_ || (remote && family == AF_UNSPEC_))
		return;
	struct net_event *e = new_event(task, NR_IO_URING_ENTER, ret, op, -1);
	if (!e)
		return;
	char *rec = (char *)e;
	__u32 off = sizeof(*e);
	if (sk)
		set_sock_info(e, sk, type);
	e->family = family;
	from_sock = from_sock && sock_family(sk) == family;
	if (remote && sk)
		put_sock_addr(e, rec, &off, sk, false);
	if (from_sock)
		put_sock_addr(e, rec, &off, sk, remote);
	else if (s.len)
		put_saved_addr(e, rec, &off, &s, remote);
	net_emit(e, off);
}

/*
 * A ring accept (the new connection's socket, by its fd or fixed-file slot) or listen (the request's
 * socket, file). submitted: an accept reported at its submission (ring_skip_submitted): no connection yet.
 */
static __always_inline void ring_sock_call(struct task_struct *task, struct io_kiocb *req, struct file *file, long ret,
					   __u16 op, bool submitted)
{
	if (net_op_kept(op))
		return;
	__u16 type = 0;
	struct sock *sk;
	int fd = -1;
	/* The new connection's file: by its fd, or the fixed-file slot it was accepted into (no fd). */
	struct file *conn = NULL;
	if (op == NET_ACCEPT && !submitted) {
		if (ret == -EAGAIN_)
			return;
		__u32 slot = BPF_CORE_READ((struct io_accept *)&req->cmd, file_slot);
		fd = ret >= 0 && !slot ? (int)ret : -1;
		conn = fd >= 0 ? current_fd_file(fd) : ring_slot_file(req, slot, ret);
	}
	/* Else (listen, a failed accept, a slot closed again before the completion) the request's own socket. */
	sk = conn ? file_sock(conn, &type) : NULL;
	bool accepted = sk != NULL;
	if (!sk)
		sk = file_sock(file, &type);
	if (sk && sock_family(sk) == AF_NETLINK_)
		return;
	struct net_event *e = new_event(task, NR_IO_URING_ENTER, ret, op, fd);
	if (!e)
		return;
	char *rec = (char *)e;
	__u32 off = sizeof(*e);
	if (op == NET_LISTEN)
		e->backlog = BPF_CORE_READ((struct io_listen *)&req->cmd, backlog);
	if (sk) {
		set_sock_info(e, sk, type);
		put_sock_addr(e, rec, &off, sk, false);
		if (accepted)
			put_sock_addr(e, rec, &off, sk, true);
	}
	net_emit(e, off);
}

/*
 * A socket made through a ring (IORING_OP_SOCKET, into an fd or a fixed-file slot) is the privilege
 * sensor's socket record (struct syscall_event, priv_calls.h: family, type, protocol), kept by the
 * same filter and carrying the socket call's own number, so that rules on evt.type = socket see it
 * as a direct call. It is made by this program (the dispatcher hands it ring sockets already,
 * uring_routes.h) and not by one of the privilege sensor, which has no ring handler to plug in.
 */
static __always_inline void ring_socket(struct task_struct *task, struct io_kiocb *req, long ret)
{
	struct io_socket *so = (struct io_socket *)&req->cmd;
	int family = BPF_CORE_READ(so, domain);
	int type = BPF_CORE_READ(so, type);
	int protocol = BPF_CORE_READ(so, protocol);
	if (!socket_watched(family, type, protocol))
		return;
	char *rec = get_scratch();
	if (!rec)
		return;
	struct syscall_event *e = (struct syscall_event *)rec;
	fill_header(&e->h, task, EVT_SYSCALL, NR_SOCKET_);
	e->h.ret = ret;
	__builtin_memset(e->args, 0, sizeof(e->args));
	__builtin_memset(e->str_len, 0, sizeof(e->str_len));
	/* int arguments sign-extended, as the privilege sensor's INT() items */
	e->args[0] = (__u64)(__s64)family;
	e->args[1] = (__u64)(__s64)type;
	e->args[2] = (__u64)(__s64)protocol;
	e->nargs = 3;
	e->text_changed = 0;
	e->pad = 0;
	emit_scratch(rec, sizeof(*e));
}

/* A ring send with a destination, reported at its completion (below). */
static __always_inline bool ring_send(__u8 opcode);
static __always_inline void ring_send_done(struct io_kiocb *req, long ret);

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_net_done, struct io_ring_ctx *ring, void *request, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = request;
	__u8 opcode = BPF_CORE_READ(req, opcode);
	if (ring_send(opcode)) {
		ring_send_done(req, BPF_CORE_READ(cqe, res));
		return 0;
	}
	__u16 op;
	switch (opcode) {
	case IORING_OP_CONNECT_: op = NET_CONNECT; break;
	case IORING_OP_BIND_: op = NET_BIND; break;
	case IORING_OP_ACCEPT_: op = NET_ACCEPT; break;
	case IORING_OP_LISTEN_: op = NET_LISTEN; break;
	case IORING_OP_SOCKET_: op = 0; break;
	default: return 0;
	}
	struct task_struct *task = bpf_get_current_task_btf();
	if (skip_task(task, bpf_get_current_pid_tgid() >> 32))
		return 0;
	long ret = BPF_CORE_READ(cqe, res);
	if (opcode == IORING_OP_SOCKET_) {
		ring_socket(task, req, ret);
		return 0;
	}
	struct file *file = BPF_CORE_READ(req, file);
	if (op == NET_CONNECT || op == NET_BIND)
		ring_addr_call(task, req, file, ret, op, false);
	else
		ring_sock_call(task, req, file, ret, op, false);
	return 0;
}

/* req->flags mirrors the sqe's IOSQE_* bits; IOSQE_CQE_SKIP_SUCCESS (REQ_F_CQE_SKIP): no completion on success. */
#define REQ_F_CQE_SKIP_ (1ULL << 6)
#define REQ_F_FIXED_FILE_ (1ULL << 0)

/*
 * A datagram sent through a ring with a destination (IORING_OP_SEND/SEND_ZC with addr2,
 * SENDMSG/SENDMSG_ZC with msg_name) is the implicit connect a direct sendto is (above): reported
 * once per process and destination (dest_seen), as a connect of syscall io_uring_enter, with the
 * send's result as a direct sendto's is. The destination is taken at submission
 * (tp_btf/io_uring_submit_req), where the request's prep has copied it into the kernel
 * (req->async_data, struct io_async_msghdr): the kernel's own copy, no user memory a racing thread
 * could change, whereas by the completion that copy is recycled. It waits in ring_dests, keyed by
 * the request, for the completion (io_uring_net_done), which reports it with the completion's
 * result: a send the kernel refuses (EACCES, ENETUNREACH, a cgroup or netfilter verdict) is a
 * failed connect, not a success. The socket is the fd the request names, or its registered
 * (fixed) file.
 * A send that asked for no completion on success (IOSQE_CQE_SKIP_SUCCESS) may never complete: it is
 * reported at submission as a success (0), and kept in ring_dests marked so; if it fails after all,
 * its completion reports the failure too (past dest_seen: the success reported was not one).
 */
#define IORING_OP_SENDMSG_ 9
#define IORING_OP_SEND_ 26
#define IORING_OP_SEND_ZC_ 47
#define IORING_OP_SENDMSG_ZC_ 48

static __always_inline bool ring_send(__u8 opcode)
{
	return opcode == IORING_OP_SEND_ || opcode == IORING_OP_SENDMSG_ || opcode == IORING_OP_SEND_ZC_ ||
	       opcode == IORING_OP_SENDMSG_ZC_;
}

/* A ring send's destination from its submission to its completion (ring_dests, by request). */
struct ring_dest {
	struct dest d;
	__u64 user_data;  /* the request's: with tgid, tells a stale entry of a recycled request apart */
	__u32 tgid;
	__s32 fd;         /* -1: a registered file */
	__u8 reported;    /* reported at submission (no completion on success): a completion is its failure */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct ring_dest);
} ring_dests SEC(".maps");

/*
 * Entries put into ring_dests and not taken out again: while 0 (every workload that sends no
 * datagram with a destination through a ring) a send's completion costs no hash lookup. An entry of
 * a send without a completion, or one the LRU dropped, keeps it above 0: lookups, never a miss.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} ring_dests_open SEC(".maps");

static __always_inline void ring_send_submitted(struct io_kiocb *req, __u64 flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	if (skip_task(task, bpf_get_current_pid_tgid() >> 32))
		return;
	struct io_async_msghdr *km = BPF_CORE_READ(req, async_data);
	if (!km)
		return;
	const void *name = BPF_CORE_READ(km, msg.msg_name);
	struct ring_dest r = {};
	if (!name || !read_dest(name, BPF_CORE_READ(km, msg.msg_namelen), true, &r.d))
		return;
	/* Kept back, or reported before (a direct sendto's repeats are not reported either): nothing to wait for. */
	struct dest_key k = current_dest_key(&r.d);
	if (net_kept(NET_CONNECT, r.d.family, r.d.addr, bpf_ntohs(r.d.port)) || bpf_map_lookup_elem(&dest_seen, &k))
		return;
	int fd = BPF_CORE_READ(req, cqe.fd);
	bool fixed = flags & REQ_F_FIXED_FILE_;
	struct file *f = fixed ? ring_slot_file(req, (__u32)fd + 1, 0) : current_fd_file(fd);
	__u16 type = 0;
	struct sock *sk = dest_sock(f, BPF_CORE_READ((struct io_sr_msg *)&req->cmd, msg_flags), &type);
	if (!sk)
		return;
	r.user_data = BPF_CORE_READ(req, cqe.user_data);
	r.tgid = bpf_get_current_pid_tgid() >> 32;
	r.fd = fixed ? -1 : fd;
	r.reported = (flags & REQ_F_CQE_SKIP_) != 0;
	if (r.reported)
		report_dest(task, sk, type, r.fd, NR_IO_URING_ENTER, 0, &r.d);
	__u64 key = (__u64)req;
	__s64 *open = bpf_map_lookup_elem(&ring_dests_open, &(__u32){0});
	if (open && bpf_map_update_elem(&ring_dests, &key, &r, BPF_ANY) == 0)
		__sync_fetch_and_add(open, 1);
}

/*
 * A ring send's completion: its destination, kept at submission, reported with the result. The
 * socket is the request's file (assigned by now, also for a registered one).
 */
static __always_inline void ring_send_done(struct io_kiocb *req, long ret)
{
	__s64 *open = bpf_map_lookup_elem(&ring_dests_open, &(__u32){0});
	if (!open || *open <= 0)
		return;
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = (__u64)req;
	struct ring_dest *r = bpf_map_lookup_elem(&ring_dests, &key);
	if (!r)
		return;
	struct ring_dest kept = *r;
	bpf_map_delete_elem(&ring_dests, &key);
	__sync_fetch_and_add(open, -1);
	if (kept.tgid != bpf_get_current_pid_tgid() >> 32 || kept.user_data != BPF_CORE_READ(req, cqe.user_data))
		return;  /* a stale entry of a request without a completion, its memory used again */
	__u16 type = 0;
	struct sock *sk = file_sock(BPF_CORE_READ(req, file), &type);
	if (!sk)
		return;
	if (kept.reported) {
		if (ret >= 0)
			return;
		/* The success reported at submission was not one: dest_seen must not hide the failure. */
		struct dest_key k = current_dest_key(&kept.d);  /* kept.tgid's: checked above */
		bpf_map_delete_elem(&dest_seen, &k);
	}
	report_dest(task, sk, type, kept.fd, NR_IO_URING_ENTER, ret, &kept.d);
}

/*
 * A connect, accept or socket that asked for no completion on success (IOSQE_CQE_SKIP_SUCCESS) and
 * succeeds inline fires no tracepoint after its submission: io_uring_net_done never sees it. It is
 * reported here, at submission (tp_btf/io_uring_submit_req, after the request's prep), as a success
 * whose result is not known yet: a connect with the caller's sockaddr, an accept with the listening
 * socket and no connection, a socket with its arguments. The request's file is not assigned yet:
 * it is the fd the request names (nothing for a registered file). If the call fails, the kernel
 * posts its completion after all and io_uring_net_done reports it again, with the error. It also
 * reports ring sends with a destination (above). Like io_uring_net_done it is never attached
 * itself: the shared dispatcher (uring_dispatch.bpf.c) tail-calls it for its opcodes only
 * (uring_routes.h); its own opcode tests stay, so a wider route costs a compare, not a wrong record.
 */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_net_submitted, struct io_kiocb *req)
{
	__u64 flags = req->flags;
	__u8 opcode = req->opcode;
	if (ring_send(opcode)) {
		ring_send_submitted(req, flags);
		return 0;
	}
	if (!(flags & REQ_F_CQE_SKIP_))
		return 0;
	if (opcode != IORING_OP_CONNECT_ && opcode != IORING_OP_ACCEPT_ && opcode != IORING_OP_SOCKET_)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (skip_task(task, bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (opcode == IORING_OP_SOCKET_) {
		ring_socket(task, req, 0);
		return 0;
	}
	struct file *file = (flags & REQ_F_FIXED_FILE_) ? NULL : current_fd_file(BPF_CORE_READ(req, cqe.fd));
	if (opcode == IORING_OP_CONNECT_)
		ring_addr_call(task, req, file, 0, NET_CONNECT, true);
	else
		ring_sock_call(task, req, file, 0, NET_ACCEPT, true);
	return 0;
}
