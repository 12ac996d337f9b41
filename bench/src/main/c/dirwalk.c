/* tar's directory opens alone (bench/callcost.py dirwalk): walks DIR R times, each directory opened relative to its parent's fd
 * (openat(fd, name, O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK|O_NOCTTY)) and listed; nothing else opened. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static long opens;
static void walk(int fd) {
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return; }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int c = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        opens++;
        if (c >= 0) walk(c);
    }
    closedir(d);
}
int main(int argc, char **argv) {
    int r = argc > 2 ? atoi(argv[2]) : 1;
    for (int i = 0; i < r; i++) {
        int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
        if (fd < 0) { perror(argv[1]); return 1; }
        walk(fd);
    }
    printf("%ld opens\n", opens);
    return 0;
}
