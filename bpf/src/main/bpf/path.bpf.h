/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Absolute paths in the kernel: walk a struct path's dentries and mounts up to the task's root
 * (so a container sees its own paths, as d_path does). bpf_d_path is not allowed in tracepoints.
 */
#ifndef EUNOMIA_PATH_BPF_H
#define EUNOMIA_PATH_BPF_H

#include "common.bpf.h"

#define PATH_LEN 4096          /* a resolved path, NUL included, fits in this */
#define PATH_COMPONENTS 48     /* deeper paths are reported truncated: "…/" prefix */

struct path_scratch {
	char data[PATH_LEN * 2 + 256];
	__u64 addr;  /* plain_addr's */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} path_buf SEC(".maps");

static __always_inline char *get_path_buf(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&path_buf, &zero);
}

struct walk_ctx {
	struct dentry *d;
	struct vfsmount *vmnt;
	struct mount *mnt;
	struct dentry *root_d;
	struct vfsmount *root_m;
	__u32 pos;
	bool complete;  /* reached the task's root: the path is absolute as the task sees it */
	__u32 pseudo;   /* a file of no directory (memfd, anonymous inode): the path is its name */
};

/* Puts "/" and d's name in front of what buf holds from *pos; false (nothing done) when it does not fit. */
static __always_inline bool prepend_name(char *buf, __u32 *pos, struct dentry *d)
{
	struct qstr name = BPF_CORE_READ(d, d_name);
	__u32 len = name.len & 255;
	__u32 p = *pos;
	if (len + 2 > p || p >= PATH_LEN)
		return false;
	p -= len;
	bpf_probe_read_kernel(buf + (p & (PATH_LEN - 1)), len, name.name);
	p -= 1;
	buf[p & (PATH_LEN - 1)] = '/';
	*pos = p;
	return true;
}

/* One step up the tree; bpf_loop verifies it once instead of once per unrolled iteration. */
static long walk_step(__u32 i, void *data)
{
	struct walk_ctx *w = data;
	char *buf = get_path_buf();
	if (!buf)
		return 1;
	struct dentry *d = w->d;
	struct vfsmount *vmnt = w->vmnt;
	struct mount *mnt = w->mnt;
	if (d == w->root_d && vmnt == w->root_m) {
		w->complete = true;
		return 1;
	}
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	struct dentry *mnt_root = BPF_CORE_READ(vmnt, mnt_root);
	if (d == parent && d != mnt_root) {
		/* Its own parent without being a mount's root: a pseudo file such as a memfd. */
		w->pseudo = 1;
	} else if (d == mnt_root) {
		struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
		if (mp == mnt || !mp)
			return 1;  /* the top of a mount tree that does not hold the task's root: not complete */
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mp;
		w->vmnt = (void *)mp + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	if (!prepend_name(buf, &w->pos, d))
		return 1;
	w->d = parent;
	return w->pseudo & 1;  /* the verifier wants a callback result it can prove is 0 or 1 */
}

/*
 * Writes the path of the struct path at path_addr (as task sees it) right-aligned in path_buf so
 * that it ends with NUL at PATH_LEN - 1 and returns where it starts. A path that could not be
 * followed up to the task's root (deeper than PATH_COMPONENTS, longer than PATH_LEN, outside the
 * root, on a detached mount) starts with "//" so readers can tell; a pseudo file is its bare name
 * ("memfd:x"), without a leading "/".
 * A global function: the verifier checks it once per program, not once at every state that reaches
 * a call (an exit program of the file sensor reached its walk ~200 times: half of its verified
 * instructions, issue 15). So its arguments are plain numbers (a global function's pointer arguments
 * are checked as memory of known size), read by probe reads as before.
 */
__noinline __u32 walk_path(__u64 task_addr, __u64 path_addr)
{
	struct task_struct *task = (struct task_struct *)task_addr;
	const struct path *path = (const struct path *)path_addr;
	char *buf = get_path_buf();
	if (!buf)
		return PATH_LEN - 1;
	/* Read into w (no temporaries): this frame may follow a 32-bit call's two under the 512 bytes. */
	struct walk_ctx w = {};
	BPF_CORE_READ_INTO(&w.d, path, dentry);
	BPF_CORE_READ_INTO(&w.vmnt, path, mnt);
	struct vfsmount *vmnt = w.vmnt;  /* a local: CO-RE would relocate a field of w as the source */
	w.mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);
	BPF_CORE_READ_INTO(&w.root_d, task, fs, root.dentry);
	BPF_CORE_READ_INTO(&w.root_m, task, fs, root.mnt);
	w.pos = PATH_LEN - 1;
	buf[PATH_LEN - 1] = 0;
	bpf_loop(PATH_COMPONENTS, walk_step, &w, 0);

	__u32 pos = w.pos;
	if (w.pseudo && pos < PATH_LEN - 1)
		return (pos + 1) & (PATH_LEN - 1);
	if (!w.complete && pos >= 2 && pos < PATH_LEN) {
		pos -= 1;
		buf[pos & (PATH_LEN - 1)] = '/';
	}
	if (pos == PATH_LEN - 1) {
		pos -= 1;
		buf[pos & (PATH_LEN - 1)] = '/';
	}
	return pos & (PATH_LEN - 1);
}

/*
 * A kernel pointer as the plain number a global function takes. A pointer the verifier knows by its
 * BTF type (tp_btf's arguments, bpf_get_current_task_btf()) is refused there even cast to a number;
 * stored in a map value and read back it is one (loaders with CAP_PERFMON may do so). No helper call:
 * a store and a load. buf: path_buf.
 */
static __always_inline __u64 plain_addr(char *buf, const void *p)
{
	volatile __u64 *slot = &((struct path_scratch *)buf)->addr;
	*slot = (__u64)p;
	return *slot;
}

/* walk_path into buf (path_buf, looked up by the caller); returns where the path starts in it. */
static __always_inline __u32 resolve_path(struct task_struct *task, const struct path *path, char *buf)
{
	__u64 task_addr = plain_addr(buf, task);
	return walk_path(task_addr, plain_addr(buf, path)) & (PATH_LEN - 1);
}

/* Appends the path resolve_path (or a walk like it) left in buf from start; returns the stored length. */
static __always_inline __u16 put_buf_path(char *rec, __u32 *off, const char *buf, __u32 start)
{
	__u32 n = (PATH_LEN - start) & (PATH_LEN - 1);
	__u32 o = *off & SCRATCH_OFF_MASK;
	if (n == 0 || scratch_full(*off))
		return 0;
	bpf_probe_read_kernel(rec + o, n, buf + (start & (PATH_LEN - 1)));
	*off = o + n;
	return n;
}

/* Resolves path and appends it to the record at *off; returns the stored length. */
static __always_inline __u16 put_path(struct task_struct *task, char *rec, __u32 *off, const struct path *path)
{
	char *buf = get_path_buf();
	if (!buf)
		return 0;
	return put_buf_path(rec, off, buf, resolve_path(task, path, buf));
}

/*
 * Appends the path of dentry d as the task's root mount names it, ignoring the mount it was reached
 * through: a file opened through a bind mount of /etc (or of / itself) at /mnt/x is named
 * /etc/shadow, as through the root. 0 when walking up d's superblock does not reach the task's root
 * (a file of another tree of that superblock: a volume, Docker's /etc/hosts).
 */
static __always_inline __u16 put_path_in_root(struct task_struct *task, char *rec, __u32 *off, struct dentry *d)
{
	char *buf = get_path_buf();
	if (!buf)
		return 0;
	struct walk_ctx w = {};
	w.d = d;
	w.root_d = BPF_CORE_READ(task, fs, root.dentry);
	w.root_m = BPF_CORE_READ(task, fs, root.mnt);
	w.vmnt = w.root_m;
	w.mnt = (void *)w.vmnt - bpf_core_field_offset(struct mount, mnt);
	w.pos = PATH_LEN - 1;
	buf[PATH_LEN - 1] = 0;
	bpf_loop(PATH_COMPONENTS, walk_step, &w, 0);
	__u32 start = w.pos;
	if (!w.complete || w.pseudo || start >= PATH_LEN - 1 || scratch_full(*off))
		return 0;  /* not below the root, or the root itself (nothing a rule names differently) */
	__u32 n = (PATH_LEN - start) & (PATH_LEN - 1);
	__u32 o = *off & SCRATCH_OFF_MASK;
	bpf_probe_read_kernel(rec + o, n, buf + (start & (PATH_LEN - 1)));
	*off = o + n;
	return n;
}

#define AT_FDCWD_VALUE -100

/* The open file behind fd in task's table, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;
	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	return f;
}

/* fd_file for the current task, two probe reads instead of seven: its table is typed. */
static __always_inline struct file *current_fd_file(int fd)
{
	/* Untrusted, as in fill_header (common.bpf.h): no vmlinux BTF name search per verified load. */
	struct fdtable *fdt = KVIEW(task_struct, bpf_get_current_task_btf())->files->fdt;
	struct file **fds = NULL;
	struct file *f = NULL;
	if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&fds, sizeof(fds), &fdt->fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Appends the absolute path of the file open as fd; 0 when fd is not open. */
static __always_inline __u16 put_fd_path(struct task_struct *task, char *rec, __u32 *off, int fd)
{
	struct file *f = fd_file(task, fd);
	if (!f)
		return 0;
	return put_path(task, rec, off, &f->f_path);
}

/*
 * Appends a path argument (in user memory, or kernel memory when kernel) made absolute: an
 * absolute path is copied as given; a relative one is prefixed with the directory of dirfd (or
 * the cwd for AT_FDCWD), resolved in the kernel.
 * "." and ".." are left for user space to normalise lexically. Returns the stored length.
 */
static __always_inline __u16 put_path_arg(struct task_struct *task, char *rec, __u32 *off, int dirfd,
					  const char *upath, bool kernel)
{
	char *buf = get_path_buf();
	if (!buf || !upath || scratch_full(*off))
		return 0;
	/* The string goes right after the directory's slot, so dir + "/" + name is contiguous. */
	long n = kernel ? bpf_probe_read_kernel_str(buf + PATH_LEN, PATH_LEN, upath)
			: bpf_probe_read_user_str(buf + PATH_LEN, PATH_LEN, upath);
	if (n <= 0 || (kernel && n == 1))  /* an empty kernel text: a path call's text unreadable at exit (file.bpf.c) */
		return 0;
	__u32 o = *off & SCRATCH_OFF_MASK;
	if (buf[PATH_LEN] == '/') {
		bpf_probe_read_kernel(rec + o, n & (PATH_LEN - 1), buf + PATH_LEN);
		*off = o + (n & (PATH_LEN - 1));
		return n & (PATH_LEN - 1);
	}
	const struct path *dir;
	if (dirfd == AT_FDCWD_VALUE) {
		struct fs_struct *fs = BPF_CORE_READ(task, fs);
		dir = &fs->pwd;
	} else {
		struct file *f = fd_file(task, dirfd);
		if (!f) {
			bpf_probe_read_kernel(rec + o, n & (PATH_LEN - 1), buf + PATH_LEN);
			*off = o + (n & (PATH_LEN - 1));
			return n & (PATH_LEN - 1);
		}
		dir = &f->f_path;
	}
	__u32 start = resolve_path(task, dir, buf);
	if (start == PATH_LEN - 2)  /* the directory is "/": avoid "//name" */
		start = PATH_LEN - 1;
	buf[PATH_LEN - 1] = '/';
	__u32 total = (PATH_LEN - start) + (__u32)n;
	total &= (2 * PATH_LEN - 1);
	if (total == 0)
		return 0;
	bpf_probe_read_kernel(rec + o, total, buf + (start & (PATH_LEN - 1)));
	*off = o + total;
	return total;
}

static __always_inline __u16 put_user_path(struct task_struct *task, char *rec, __u32 *off, int dirfd,
					   const char *upath)
{
	return put_path_arg(task, rec, off, dirfd, upath, false);
}

/* put_user_path for a path the kernel already copied (bprm->filename). */
static __always_inline __u16 put_kernel_path(struct task_struct *task, char *rec, __u32 *off, int dirfd,
					     const char *kpath)
{
	return put_path_arg(task, rec, off, dirfd, kpath, true);
}

#endif /* EUNOMIA_PATH_BPF_H */
