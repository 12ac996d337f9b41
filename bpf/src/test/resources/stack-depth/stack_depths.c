/* Loads one BPF object with the verifier's statistics on and prints "programs N" (the object's count),
 * then one line per program, N in all:
 *   NAME TYPE ATTACH_TYPE TAIL_CALLS DEPTHS CALLS    a loaded program ("?" where the figure was not read)
 *   NAME off                                        one named on the command line: not loaded (its hook is
 *                                                   missing here, as the product's loader decides)
 * TYPE and ATTACH_TYPE are the program's (enum bpf_prog_type, bpf_attach_type), TAIL_CALLS 1 when it
 * makes a tail call (the kernel then gives it no private stack); DEPTHS is the verifier's "stack depth" line, the stack each of the program's functions uses (the
 * main one first, then its subprograms by where they start: "80+240+192"); CALLS the calls between
 * them, read from the loaded (JITed) instructions, "caller>callee,..." by those indexes ("-" for none).
 * StackDepthTest walks the call chains and judges them against the 512-byte BPF stack.
 * Every other program is loaded, whatever its section's default. libbpf's messages go to stderr.
 * As root:  stack_depths OBJECT [PROGRAM_OFF...]      Build: gcc -O2 -Wall -o stack_depths stack_depths.c -lbpf */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SIZE (64 * 1024)

/* The subprogram whose first instruction is the last at or before insn (starts are sorted). */
static int subprog_of(const struct bpf_func_info *f, __u32 n, __u32 insn) {
	int at = -1;
	for (__u32 k = 0; k < n && f[k].insn_off <= insn; k++) {
		at = k;
	}
	return at;
}

static int subprog_starting(const struct bpf_func_info *f, __u32 n, long insn) {
	for (__u32 k = 0; k < n; k++) {
		if (f[k].insn_off == insn) {
			return k;
		}
	}
	return -1;
}

/*
 * The function a JITed call at insn calls, or -1. After the JIT the kernel rewrites each call for dumps
 * (verifier.c, jit_subprogs' last step): off = the call's relative target, an int stored in the 16-bit
 * off, and imm = the function its kernel lookup finds at i + off + 1 (-ENOENT for none). A call farther
 * than 32767 instructions (a program past 32K of them: file.bpf.o's compat_exit) keeps only the low 16
 * bits of its offset, so the real target is the one function start congruent to i + off + 1 modulo 2^16:
 * unique when the program has at most 65536 instructions; more than one such start is unknown (-1).
 */
static int callee_of(const struct bpf_func_info *f, __u32 n, __u32 i, const struct bpf_insn *call) {
	long cut = (long)i + call->off + 1;
	int at_cut = subprog_starting(f, n, cut);
	if (call->imm != (at_cut >= 0 ? at_cut : -2 /* -ENOENT */)) {
		return -1; /* not the JIT's form (off, imm as above): the graph is unknown */
	}
	int callee = -1;
	for (__u32 k = 0; k < n; k++) {
		if ((((long)f[k].insn_off - cut) & 0xffff) == 0) {
			if (callee >= 0) {
				return -1; /* two candidates */
			}
			callee = k;
		}
	}
	return callee;
}

/* Prints whether the program makes tail calls, then the calls between its functions ("?" when its
 * instructions cannot be read). */
static void print_calls(int fd, const char *depths) {
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.func_info_rec_size != sizeof(struct bpf_func_info)) {
		printf("? %s ?", depths);
		return;
	}
	__u32 ninsn = info.xlated_prog_len / sizeof(struct bpf_insn), nfunc = info.nr_func_info;
	struct bpf_insn *insns = calloc(ninsn ? ninsn : 1, sizeof(struct bpf_insn));
	struct bpf_func_info *funcs = calloc(nfunc ? nfunc : 1, sizeof(struct bpf_func_info));
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = ninsn * sizeof(struct bpf_insn);
	info.xlated_prog_insns = (__u64)(uintptr_t)insns;
	info.nr_func_info = nfunc;
	info.func_info_rec_size = sizeof(struct bpf_func_info);
	info.func_info = (__u64)(uintptr_t)funcs;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || (ninsn && !info.xlated_prog_insns)) {
		printf("? %s ?", depths);
	} else {
		int tail = 0;
		for (__u32 i = 0; i < ninsn; i++) {
			tail |= insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == 0 && insns[i].imm == BPF_FUNC_tail_call;
		}
		printf("%d %s ", tail, depths);
		int any = 0;
		for (__u32 i = 0; i < ninsn; i++) {
			if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL) {
				printf("%s%d>%d", any++ ? "," : "", subprog_of(funcs, nfunc, i), callee_of(funcs, nfunc, i, &insns[i]));
			}
		}
		if (!any) {
			printf("-");
		}
	}
	free(insns);
	free(funcs);
}

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [PROGRAM_OFF...]\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror(argv[1]);
		return 1;
	}
	struct bpf_program *p;
	int n = 0;
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_autoload(p, true);
		n++;
	}
	for (int a = 2; a < argc; a++) {
		struct bpf_program *off = bpf_object__find_program_by_name(obj, argv[a]);
		if (!off) {
			fprintf(stderr, "%s has no program %s\n", argv[1], argv[a]);
			return 2;
		}
		bpf_program__set_autoload(off, false);
	}
	printf("programs %d\n", n);
	char **logs = calloc(n ? n : 1, sizeof(char *));
	int i = 0;
	bpf_object__for_each_program(p, obj) {
		logs[i] = calloc(1, LOG_SIZE);
		bpf_program__set_log_buf(p, logs[i], LOG_SIZE);
		bpf_program__set_log_level(p, 4); /* BPF_LOG_STATS */
		i++;
	}
	int err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "%s: load failed: %s\n", argv[1], strerror(-err));
		return 1;
	}
	i = 0;
	bpf_object__for_each_program(p, obj) {
		const char *line = NULL;
		for (const char *s = logs[i]; (s = strstr(s, "stack depth ")); s++) {
			if (s == logs[i] || s[-1] == '\n') {
				line = s + strlen("stack depth ");
			}
		}
		if (!bpf_program__autoload(p)) {
			printf("%s off\n", bpf_program__name(p));
		} else if (line) {
			char depths[1024];
			snprintf(depths, sizeof depths, "%.*s", (int)strcspn(line, "\n"), line);
			printf("%s %d %d ", bpf_program__name(p), bpf_program__type(p), bpf_program__expected_attach_type(p));
			print_calls(bpf_program__fd(p), depths);
			printf("\n");
		} else { /* no "stack depth" line: the figure is missing, not zero */
			printf("%s %d %d ? ? ?\n", bpf_program__name(p), bpf_program__type(p), bpf_program__expected_attach_type(p));
		}
		i++;
	}
	bpf_object__close(obj);
	return 0;
}
