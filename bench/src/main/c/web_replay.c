/* nginx's request, replayed in one thread (bench/webreplay.sh, bench/README.md "nginx's request,
 * replayed"): the system calls the nginx worker makes per request (strace/bpftrace of the web part's
 * worker: recvfrom, openat of the page, newfstatat, setsockopt x2, writev, sendfile, close) with the
 * client's write and read, over a loopback TCP connection; `close` adds what a connection per request
 * costs on both ends (socket, connect, accept4, close x2). Pinned to one CPU, its CPU time per
 * request is what the hooks add to each call, free of wrk's and the scheduler's noise: the web
 * part's rounds spread ±10-40% on a shared machine, this ±2-5%.
 *   web_replay keepalive|close PAGE ITERATIONS     prints the thread's CPU ns per request
 * Build: gcc -O2 -Wall -o web_replay web_replay.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static long long cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int fail(const char *what)
{
	perror(what);
	exit(1);
}

/* A connected pair: *client and *server (accept4, as nginx accepts). */
static void connect_pair(int listener, const struct sockaddr_in *a, int *client, int *server)
{
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (const void *)a, sizeof(*a)))
		fail("connect");
	*server = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
	if (*server < 0)
		fail("accept4");
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "keepalive") && strcmp(argv[1], "close"))) {
		fprintf(stderr, "usage: web_replay keepalive|close PAGE ITERATIONS\n");
		return 2;
	}
	int per_request = !strcmp(argv[1], "close");
	const char *page = argv[2];
	long n = atol(argv[3]);
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	if (listener < 0 || bind(listener, (void *)&a, sizeof(a)) || listen(listener, 64) ||
	    getsockname(listener, (void *)&a, &alen))
		fail("listen");
	int client = -1, server = -1;
	if (!per_request)
		connect_pair(listener, &a, &client, &server);
	char request[80], header[200], buf[65536];
	memset(request, 'g', sizeof(request));
	memset(header, 'h', sizeof(header));
	struct iovec iov = { header, sizeof(header) };
	int on = 1, off = 0;
	long long start = 0;
	for (long i = -2000; i < n; i++) {  /* 2000 requests of warm-up */
		if (i == 0)
			start = cpu_ns();
		if (per_request)
			connect_pair(listener, &a, &client, &server);
		if (write(client, request, sizeof(request)) != sizeof(request))
			fail("write");
		if (recvfrom(server, buf, sizeof(buf), 0, NULL, NULL) <= 0)
			fail("recvfrom");
		int fd = openat(AT_FDCWD, page, O_RDONLY | O_NONBLOCK);
		struct stat st;
		if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH))
			fail(page);
		setsockopt(server, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
		if (writev(server, &iov, 1) != sizeof(header) || sendfile(server, fd, NULL, st.st_size) != st.st_size)
			fail("send");
		setsockopt(server, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		close(fd);
		for (long got = 0, want = sizeof(header) + st.st_size; got < want;) {
			long r = read(client, buf, sizeof(buf));
			if (r <= 0)
				fail("read");
			got += r;
		}
		if (per_request) {
			close(server);
			close(client);
		}
	}
	printf("%.1f\n", (double)(cpu_ns() - start) / n);
	return 0;
}
