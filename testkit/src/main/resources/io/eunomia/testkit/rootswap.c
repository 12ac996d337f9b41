/*
 * rootswap ROOT hold|swap: enters a mount namespace of its own (private mounts), chroots into
 * ROOT (ROOT "." : stays where it runs, e.g. as a container's process), prints "ready", then either sleeps (hold) or swaps ROOT's /d with /d_swap for ever with
 * renameat2(RENAME_EXCHANGE) (swap): a directory and a symlink take turns under the name /d, so a
 * reader walking /d/... through /proc/PID/root races an absolute symlink swapped in mid-walk.
 * Ends when its parent (the test) goes, or after 300 s.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "hold") && strcmp(argv[2], "swap"))) {
		fprintf(stderr, "usage: rootswap ROOT hold|swap\n");
		return 2;
	}
	pid_t parent = getppid();
	int in_place = !strcmp(argv[1], ".");
	if (!in_place && (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))) {
		perror("rootswap: unshare/mount");
		return 1;
	}
	if (!in_place && chroot(argv[1])) {
		perror("rootswap: chroot");
		return 1;
	}
	if (chdir("/")) {
		perror("rootswap: chdir");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	time_t end = time(NULL) + 300;
	unsigned long n = 0;
	while (getppid() == parent && time(NULL) < end) {
		if (argv[2][0] == 'h') {
			usleep(100000);
			continue;
		}
		if (syscall(SYS_renameat2, AT_FDCWD, "d", AT_FDCWD, "d_swap", RENAME_EXCHANGE)) {
			perror("rootswap: renameat2");
			return 1;
		}
		if ((++n & 1023) == 0)
			usleep(50);  /* let the reader run on a single free CPU too */
	}
	return 0;
}
