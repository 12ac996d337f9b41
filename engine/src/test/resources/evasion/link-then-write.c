/*
 * Makes a hard link and writes through it at once, in one process (FirstMomentsLiveTest): the
 * write comes microseconds after the link, before a reader of the link's event can act on it.
 * Usage: link-then-write TARGET LINK
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s TARGET LINK\n", argv[0]);
		return 2;
	}
	if (link(argv[1], argv[2]) != 0) {
		perror("link");
		return 1;
	}
	int fd = open(argv[2], O_WRONLY | O_APPEND);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	if (write(fd, "x\n", 2) != 2) {
		perror("write");
		return 1;
	}
	return close(fd) == 0 ? 0 : 1;
}
