/* Holds one configuration of syscallpath.bpf.o's hooks attached while a workload runs beside it
 * (bench/README.md, "The floor under a web server": WebFloorBench): what the syscall hook machinery
 * costs a real program before any sensor does work.
 *   tp-other   perf tracepoints sys_enter_mincore/sys_exit_mincore: every call takes the kernel's
 *              slow syscall path (syscall tracepoints on), no program runs for the workload's calls
 *   noop-pair  a tp_btf sys_enter and sys_exit program that return at once: the floor of any pair
 *              on every call (the monitor's 32-bit dispatcher is one)
 *   tp+noop    both at once: the hook floor of a monitor that watches 32-bit calls (its syscall
 *              tracepoints' probe and the pair's both run on every call)
 * Prints "attached" once the links are in place, holds them until stdin closes, then releases them.
 * As root:  hook_hold OBJECT CONFIG
 * Build:    gcc -O2 -Wall -o hook_hold hook_hold.c -lbpf */
#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct bpf_object *obj;
static struct bpf_link *links[4];

static int attach(int i, const char *name) {
    struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
    links[i] = p ? bpf_program__attach(p) : NULL;
    if (!links[i]) { fprintf(stderr, "hook_hold: cannot attach %s\n", name); return -1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: hook_hold OBJECT tp-other|noop-pair|tp+noop\n"); return 2; }
    static const char *tp[] = { "tp_enter_mincore", "tp_exit_mincore", NULL };
    static const char *noop[] = { "noop_enter", "noop_exit", NULL };
    static const char *both[] = { "tp_enter_mincore", "tp_exit_mincore", "noop_enter", "noop_exit", NULL };
    const char **names;
    if (!strcmp(argv[2], "tp-other")) names = tp;
    else if (!strcmp(argv[2], "noop-pair")) names = noop;
    else if (!strcmp(argv[2], "tp+noop")) names = both;
    else { fprintf(stderr, "hook_hold: unknown configuration %s\n", argv[2]); return 2; }
    obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) { fprintf(stderr, "hook_hold: cannot open %s\n", argv[1]); return 1; }
    /* Only the programs used are loaded (the dispatcher's handlers need their arrays filled). */
    struct bpf_program *p;
    bpf_object__for_each_program(p, obj) {
        bool used = false;
        for (int i = 0; names[i]; i++)
            used |= !strcmp(bpf_program__name(p), names[i]);
        bpf_program__set_autoload(p, used);
    }
    if (bpf_object__load(obj)) { fprintf(stderr, "hook_hold: cannot load %s\n", argv[1]); return 1; }
    int n = 0;
    for (; names[n]; n++)
        if (attach(n, names[n])) return 1;
    printf("attached\n");
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {}
    while (n-- > 0)
        bpf_link__destroy(links[n]);
    bpf_object__close(obj);
    return 0;
}
