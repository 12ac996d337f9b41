// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Process sensor: exec (with argv, tty, stdio kinds), fork, exit. */
#include "path.bpf.h"
#include "syscall.bpf.h"

#define ARGV_MAX 4096

/* What an open file is, for the stdio kinds: by its inode's type, a tty by its device's major. */
static __always_inline __u8 file_kind(struct file *f)
{
	if (!f)
		return STREAM_NONE;
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	umode_t mode = BPF_CORE_READ(ino, i_mode);
	switch (mode & 00170000) {
	case 0100000: return STREAM_FILE;      /* S_IFREG */
	case 0010000: return STREAM_PIPE;      /* S_IFIFO */
	case 0140000: return STREAM_SOCKET;    /* S_IFSOCK */
	case 0020000: {                        /* S_IFCHR: tty majors 4, 5 and pts 136-143 */
		dev_t rdev = BPF_CORE_READ(ino, i_rdev);
		unsigned int major = rdev >> 20;
		if (major == 4 || major == 5 || (major >= 136 && major <= 143))
			return STREAM_TTY;
		return STREAM_CHAR;
	}
	default: return STREAM_OTHER;
	}
}

/*
 * The kinds of fds 0, 1 and 2: the three file pointers in one read (a table holds at least 64).
 * The task is read through an untrusted view: a pointer load from the trusted task makes the verifier
 * search vmlinux BTF by name (fill_header, common.bpf.h), and this is verified ~260 times per exec exit.
 */
static __always_inline void stdio_kinds(struct task_struct *task, struct exec_event *e)
{
	struct fdtable *fdt = KVIEW(task_struct, task)->files->fdt;
	struct file *f[3] = {};
	if (fdt && fdt->max_fds >= 3)
		bpf_probe_read_kernel(f, sizeof(f), fdt->fd);
	e->stdin_kind = file_kind(f[0]);
	e->stdout_kind = file_kind(f[1]);
	e->stderr_kind = file_kind(f[2]);
}

/* The credentials and the namespace pid the exec left the task with (after the exec: the new ones). */
static __always_inline void exec_credentials(struct task_struct *task, struct exec_event *e)
{
	const struct cred *cred = task->cred;
	/* kernel_cap_t is one u64 since 6.3 and two u32 before: the same 8 bytes either way. */
	bpf_probe_read_kernel(&e->cap_effective, 8, &cred->cap_effective);
	bpf_probe_read_kernel(&e->cap_permitted, 8, &cred->cap_permitted);
	e->seccomp_mode = task->seccomp.mode;
	struct pid *pid = task->thread_pid;
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[pid->level & 31]);
	e->vpid = up.nr;
}

/*
 * Whether the exec raised the permitted set from the file's capabilities (setcap): the kernel found
 * the exec privilege-raising (bprm->secureexec: ids changed, or a caller that is not its user
 * namespace's root got effective or new permitted capabilities), the ids did not change (a setuid or
 * setgid exec, root's or another user's, is not this), and the permitted set holds capabilities
 * beyond the ambient set (what a capability-less caller keeps across an exec).
 */
static __always_inline __u8 caps_from_file(struct task_struct *task, struct linux_binprm *bprm)
{
	const struct cred *cred = task->cred;
	if (!BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		return 0;
	if (cred->euid.val != cred->uid.val || cred->egid.val != cred->gid.val)
		return 0;
	__u64 permitted = 0, ambient = 0;
	bpf_probe_read_kernel(&permitted, 8, &cred->cap_permitted);
	bpf_probe_read_kernel(&ambient, 8, &cred->cap_ambient);
	return (permitted & ~ambient) != 0;
}

/*
 * Appends the path of dentry d from the root of its file system, mounts not followed (walk_step
 * with no mount: it stops at the superblock's root): where a container's root directory lies on
 * the file system the host mounts too. 0 when the walk does not get there (too deep, disconnected).
 */
static __always_inline __u16 put_fs_path(char *rec, __u32 *off, struct dentry *d)
{
	char *buf = get_path_buf();
	if (!buf)
		return 0;
	struct walk_ctx w = {};
	w.d = d;
	w.root_d = BPF_CORE_READ(d, d_sb, s_root);
	w.pos = PATH_LEN - 1;
	buf[PATH_LEN - 1] = 0;
	bpf_loop(PATH_COMPONENTS, walk_step, &w, 0);
	if (!w.complete || w.pseudo)
		return 0;
	__u32 pos = w.pos;
	if (pos == PATH_LEN - 1) {  /* the file system's root itself */
		pos -= 1;
		buf[pos & (PATH_LEN - 1)] = '/';
	}
	return put_buf_path(rec, off, buf, pos & (PATH_LEN - 1));
}

/* A container's root (exec_event.root_*): none for the host's mount namespace. */
static __always_inline void put_root(struct task_struct *task, struct exec_event *e, char *rec, __u32 *off)
{
	e->root_len = 0;
	e->root_dev = 0;
	e->root_ino = 0;
	struct sensor_settings *cfg = get_settings();
	if (!cfg || e->h.mntns == cfg->host_mntns)
		return;
	struct dentry *root = BPF_CORE_READ(task, fs, root.dentry);
	e->root_dev = BPF_CORE_READ(root, d_sb, s_dev);
	e->root_ino = BPF_CORE_READ(root, d_inode, i_ino);
	e->root_len = put_fs_path(rec, off, root);
}

/*
 * The task and bprm are pointers the verifier knows (BTF): their fields are direct loads, not
 * probe-read helper calls; what hangs off a probe-read pointer is read with BPF_CORE_READ.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (skip_task(task, tgid))
		return 0;
	char *rec = get_scratch();
	if (!rec)
		return 0;
	struct exec_event *e = (struct exec_event *)rec;
	fill_header(&e->h, task, EVT_EXEC, -1);
	e->pad2 = 0;
	e->old_pid = old_pid;
	e->h.ret = 0;
	e->no_new_privs = task->atomic_flags >> PFA_NO_NEW_PRIVS & 1;
	exec_credentials(task, e);
	e->caps_from_file = caps_from_file(task, bprm);

	__u32 off = sizeof(*e);
	/* What really runs, resolved (symlinks followed), then the name as passed to execve. */
	e->filename_len = put_path(task, rec, &off, &bprm->file->f_path);

	struct mm_struct *mm = task->mm;
	unsigned long arg_start = mm->arg_start;
	unsigned long len = mm->arg_end - arg_start;
	e->argv_truncated = len > ARGV_MAX - 1;
	if (len > ARGV_MAX - 1)
		len = ARGV_MAX - 1;
	__u32 o = off & SCRATCH_OFF_MASK;
	e->argv_len = 0;
	if (len > 0 && !scratch_full(off) && bpf_probe_read_user(rec + o, len & (ARGV_MAX - 1), (void *)arg_start) == 0) {
		rec[(o + len) & (SCRATCH_SIZE - 1)] = 0;
		e->argv_len = len + 1;
		off = o + len + 1;
	}
	e->argc = bprm->argc;

	struct tty_struct *tty = task->signal->tty;
	e->tty_len = tty ? put_kernel_str(rec, &off, tty->name, EVT_TTY_LEN) : 0;
	stdio_kinds(task, e);
	/*
	 * The strings can add up past what the scratch takes (scratch_full: filename 4 KiB, argv 4 KiB,
	 * root 4 KiB, script 8 KiB, cwd 4 KiB, each the caller's to grow): the ones rules need most
	 * come first and always fit (their starts stay below SCRATCH_OFF_MASK even at their longest);
	 * the cwd comes last and is dropped, said in cwd_dropped, when no room is left.
	 */
	put_root(task, e, rec, &off);
	/*
	 * A script: binfmt_script (or binfmt_misc) made the interpreter bprm->file and changed
	 * bprm->interp; the script itself is already closed here, and bprm->filename is its name as
	 * the caller gave it (the kernel's copy: no racing thread can change it), made absolute
	 * against the cwd. "#!/bin/sh" in /tmp/x runs /bin/sh: the script is what was dropped.
	 */
	const char *fname = bprm->filename;
	e->script_len = 0;
	if (fname && fname != bprm->interp)
		e->script_len = put_kernel_path(task, rec, &off, AT_FDCWD_VALUE, fname);
	/*
	 * The cwd, as the kernel has it at the exec, inside the task's root (a container's own path):
	 * the rules' proc.cwd, which /proc/PID/cwd no longer gives once a short process is gone (the
	 * fork copied the parent's, a "cd" before the exec changed it); and "sh x.sh" or
	 * "python3 ./x.py" names its script relative to it (user space decides whether an argument is
	 * one: it knows the interpreters' options). One walk per exec (~1 us of a ~10 us exec path here).
	 */
	e->cwd_dropped = scratch_full(off);
	e->cwd_len = put_path(task, rec, &off, &task->fs->pwd);
	emit_scratch(rec, off);
	return 0;
}

#define FAILED_EXEC_ARGS 20

/* argv[i] of the caller: 8-byte pointers, or 4-byte ones for a 32-bit (ia32) call. */
static __always_inline long read_argv_entry(const char **arg, const char *const *uargv, int i, bool ptr32)
{
	if (!ptr32)
		return bpf_probe_read_user(arg, sizeof(*arg), &uargv[i]);
	__u32 p = 0;
	long err = bpf_probe_read_user(&p, sizeof(p), (const __u32 *)uargv + i);
	*arg = (const char *)(unsigned long)p;
	return err;
}

/*
 * A failed execve/execveat (ENOENT, EACCES, ...) never reaches sched_process_exec but is as
 * telling as a successful one: report it from the syscall exit with the path as given (made
 * absolute) and the argv the caller passed.
 */
static __always_inline int failed_exec(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int dirfd,
				       const char *upath, const char *const *uargv, bool ptr32)
{
	long ret = BPF_CORE_READ(ctx, ret);
	if (ret >= 0)
		return 0;  /* success is reported by sched_process_exec, with the resolved file */
	struct task_struct *task = bpf_get_current_task_btf();
	char *rec = get_scratch();
	if (!rec)
		return 0;
	struct exec_event *e = (struct exec_event *)rec;
	fill_header(&e->h, task, EVT_EXEC, a->nr);
	e->h.ret = ret;
	e->old_pid = e->h.pid;
	e->no_new_privs = task->atomic_flags >> PFA_NO_NEW_PRIVS & 1;
	e->caps_from_file = 0;
	e->cap_effective = 0;
	e->cap_permitted = 0;
	e->seccomp_mode = 0;
	e->vpid = 0;
	__u32 off = sizeof(*e);
	e->filename_len = put_user_path(task, rec, &off, dirfd, upath);

	__u32 start = off & SCRATCH_OFF_MASK;
	__u32 o = start;
	__u32 argc = 0;
	bool full = false;
	for (int i = 0; i < FAILED_EXEC_ARGS; i++) {
		const char *arg = NULL;
		if (scratch_full(o)) {  /* a masked o would wrap over the header */
			full = true;
			break;
		}
		if (!uargv || read_argv_entry(&arg, uargv, i, ptr32) != 0 || !arg)
			break;
		long n = bpf_probe_read_user_str(rec + (o & SCRATCH_OFF_MASK), 512, arg);
		if (n <= 0)
			break;
		o = (o & SCRATCH_OFF_MASK) + n;
		argc++;
	}
	e->argc = argc;
	e->argv_truncated = argc == FAILED_EXEC_ARGS || full;
	e->argv_len = 0;
	if (o > start) {
		rec[o & (SCRATCH_SIZE - 1)] = 0;  /* the decoder expects a final extra NUL */
		o += 1;
		e->argv_len = o - start;
	}
	off = o;
	e->tty_len = 0;
	stdio_kinds(task, e);
	e->script_len = 0;
	e->cwd_len = 0;
	e->root_len = 0;  /* a failed exec changed no root: nothing to look at */
	e->cwd_dropped = 0;
	e->pad2 = 0;
	e->root_dev = 0;
	e->root_ino = 0;
	emit_scratch(rec, off);
	return 0;
}

static __always_inline int execve_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return failed_exec(ctx, a, AT_FDCWD_VALUE, (const char *)a->args[0], (const char *const *)a->args[1], false);
}

static __always_inline int execveat_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return failed_exec(ctx, a, (int)a->args[0], (const char *)a->args[1], (const char *const *)a->args[2], false);
}

SYSCALL_EXIT_ONLY_FAILED(execve, execve_exit)
SYSCALL_EXIT_ONLY_FAILED(execveat, execveat_exit)

/* A failed 32-bit execve/execveat (syscall.bpf.h: COMPAT_PROGRAMS); a successful one is an exec like any. */
static __always_inline int execve32_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return failed_exec(ctx, a, AT_FDCWD_VALUE, (const char *)a->args[0], (const char *const *)a->args[1], true);
}

static __always_inline int execveat32_exit(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	return failed_exec(ctx, a, (int)a->args[0], (const char *)a->args[1], (const char *const *)a->args[2], true);
}

#define EXEC_COMPAT_CALLS(X) X(11, 59, NO_ENTER, execve32_exit) X(358, 322, NO_ENTER, execveat32_exit)

COMPAT_PROGRAMS(EXEC_COMPAT_CALLS, NO_ADJUST, COMPAT_SLOT_EXEC)

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	/* Threads are not processes: report only new thread groups. */
	if (child->pid != child->tgid)
		return 0;
	if (skip_task(parent, tgid))
		return 0;
	struct fork_event e = {};
	fill_header(&e.h, parent, EVT_FORK, -1);
	e.child_pid = child->tgid;
	e.child_tid = child->pid;
	e.h.size = sizeof(e);
	emit(&e, sizeof(e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	/* A process ends with its thread group leader. */
	if (tgid != (__u32)id)
		return 0;
	if (skip_task(task, tgid))
		return 0;
	struct exit_event e = {};
	fill_header(&e.h, task, EVT_EXIT, -1);
	e.exit_code = task->exit_code;
	e.h.size = sizeof(e);
	emit(&e, sizeof(e));
	return 0;
}
