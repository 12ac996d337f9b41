/*
 * Mounts through the new mount API only (no mount(2)), for the tests:
 *   mountapi tmpfs TARGET        fsopen("tmpfs") + fsconfig(source) + fsmount + move_mount
 *   mountapi fs TYPE SOURCE TARGET  the same for a file system of type TYPE from SOURCE (a device, a name)
 *   mountapi bind SOURCE TARGET  open_tree(OPEN_TREE_CLONE) + move_mount
 *   mountapi ro|rw TARGET        mount_setattr setting or clearing MOUNT_ATTR_RDONLY
 *   mountapi move SOURCE TARGET  move_mount of the mount at SOURCE by its path (no MOVE_MOUNT_F_EMPTY_PATH)
 * Exits 0 when every call succeeded, else prints the failing call and exits 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_OPEN_TREE 428
#define NR_MOVE_MOUNT 429
#define NR_FSOPEN 430
#define NR_FSCONFIG 431
#define NR_FSMOUNT 432
#define NR_MOUNT_SETATTR 442
#define OPEN_TREE_CLONE 1
#define MOVE_MOUNT_F_EMPTY_PATH 4
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define MOUNT_ATTR_RDONLY 1

struct attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };

static int check(long r, const char *what)
{
	if (r < 0) {
		perror(what);
		_exit(1);
	}
	return (int)r;
}

static void attach(int mnt, const char *target)
{
	check(syscall(NR_MOVE_MOUNT, mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH), "move_mount");
}

static void new_mount(const char *type, const char *source, const char *target)
{
	int fs = check(syscall(NR_FSOPEN, type, 0), "fsopen");
	check(syscall(NR_FSCONFIG, fs, FSCONFIG_SET_STRING, "source", source, 0), "fsconfig source");
	check(syscall(NR_FSCONFIG, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "fsconfig create");
	attach(check(syscall(NR_FSMOUNT, fs, 0, 0), "fsmount"), target);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "tmpfs")) {
		new_mount("tmpfs", "eunomia-mountapi", argv[2]);
	} else if (argc == 5 && !strcmp(argv[1], "fs")) {
		new_mount(argv[2], argv[3], argv[4]);
	} else if (argc == 4 && !strcmp(argv[1], "bind")) {
		attach(check(syscall(NR_OPEN_TREE, AT_FDCWD, argv[2], OPEN_TREE_CLONE), "open_tree"), argv[3]);
	} else if (argc == 4 && !strcmp(argv[1], "move")) {
		check(syscall(NR_MOVE_MOUNT, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 0), "move_mount");
	} else if (argc == 3 && (!strcmp(argv[1], "ro") || !strcmp(argv[1], "rw"))) {
		struct attr a = {0};
		if (argv[1][1] == 'o')
			a.attr_set = MOUNT_ATTR_RDONLY;
		else
			a.attr_clr = MOUNT_ATTR_RDONLY;
		check(syscall(NR_MOUNT_SETATTR, AT_FDCWD, argv[2], 0, &a, sizeof(a)), "mount_setattr");
	} else {
		fprintf(stderr, "usage: mountapi tmpfs TARGET | fs TYPE SOURCE TARGET | bind SOURCE TARGET | ro|rw TARGET | move SOURCE TARGET\n");
		return 2;
	}
	return 0;
}
