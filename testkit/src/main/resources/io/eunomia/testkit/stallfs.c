/*
 * stallfs DIR: mounts a FUSE file system at DIR whose daemon never answers (it does not even read
 * the kernel's INIT request), so every lookup below DIR waits in the kernel, as below a hung FUSE
 * daemon or NFS server. Prints "ready" once mounted. Ending it (any signal) closes /dev/fuse: the
 * kernel aborts the connection and the waiting lookups fail (ENOTCONN); it unmounts DIR (lazily) first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static const char *dir;

static void end(int sig)
{
	(void)sig;
	umount2(dir, MNT_DETACH);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: stallfs DIR\n");
		return 2;
	}
	dir = argv[1];
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("stallfs: /dev/fuse");
		return 1;
	}
	char opts[128];
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("stallfs", dir, "fuse.stallfs", MS_NOSUID | MS_NODEV, opts)) {
		perror("stallfs: mount");
		return 1;
	}
	signal(SIGTERM, end);
	signal(SIGINT, end);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
