// SPDX-License-Identifier: Apache-2.0
/*
 * Workload for the cost of the net sensor's send programs (issue 16: UDP's implicit connect) and
 * of the identity watch on opens.
 *
 *   send_loop MODE ITERATIONS [FILE]
 *     MODE send      send() on a connected UDP socket: no destination, what every plain send pays
 *          sendto    sendto() with the destination on an unconnected UDP socket (one destination:
 *                    reported once, then the dedup path)
 *          sendmsg   sendmsg() with msg_name, likewise
 *          open      open(FILE, O_RDONLY) + close
 *
 * Datagrams go to a socket of this process on 127.0.0.1 that never reads (the kernel drops what
 * its buffer cannot hold). Prints "<CPU ns per iteration> <iterations>" (user + system time of
 * the process, which includes the BPF programs run in its calls).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: send_loop send|sendto|sendmsg|open ITERATIONS [FILE]\n");
		return 2;
	}
	const char *mode = argv[1];
	long n = atol(argv[2]);
	struct sockaddr_in to = {.sin_family = AF_INET};
	socklen_t len = sizeof to;
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	int sink = socket(AF_INET, SOCK_DGRAM, 0);
	if (sink < 0 || bind(sink, (struct sockaddr *)&to, sizeof to) || getsockname(sink, (struct sockaddr *)&to, &len)) {
		perror("sink");
		return 1;
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (!strcmp(mode, "send") && connect(s, (struct sockaddr *)&to, sizeof to)) {
		perror("connect");
		return 1;
	}
	char b = 'x';
	struct iovec iov = {.iov_base = &b, .iov_len = 1};
	struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
	long long start = cpu_ns();
	for (long i = 0; i < n; i++) {
		if (!strcmp(mode, "send"))
			send(s, &b, 1, MSG_DONTWAIT);
		else if (!strcmp(mode, "sendto"))
			sendto(s, &b, 1, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
		else if (!strcmp(mode, "sendmsg"))
			sendmsg(s, &msg, MSG_DONTWAIT);
		else if (!strcmp(mode, "open") && argc > 3)
			close(open(argv[3], O_RDONLY));
	}
	printf("%lld %ld\n", (cpu_ns() - start) / (n ? n : 1), n);
	return 0;
}
