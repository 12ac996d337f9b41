// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * File sensor: opens, removals, renames, links, truncates, mode and owner changes, mkdir, each
 * reported at syscall exit with its result and absolute path(s). Two optional filters in the kernel
 * (LPM tries) keep what nobody needs out of the ring buffer: the user's path prefixes (every
 * operation), and the read filter (successful read-only opens only, below the paths the rules read).
 */
#include "entry_texts.bpf.h"
#include "syscall.bpf.h"
#include "uring.bpf.h"

/* LPM trie keys hold at most 256 data bytes (LPM_DATA_SIZE_MAX). */
#define PREFIX_MAX 256

#define O_ACCMODE_VALUE 03
#define O_CREAT_VALUE 0100
#define O_TRUNC_VALUE 01000
#define O_APPEND_VALUE 02000
#define O_TMPFILE_BIT 020000000      /* __O_TMPFILE, the same on every architecture */
#define CREAT_FLAGS 01101            /* creat() is open(O_CREAT | O_WRONLY | O_TRUNC) */
#define AT_REMOVEDIR_VALUE 0x200
#define NO_VALUE ((__u32)-1)
/*
 * An open with any of these may change the file or its directory: write access, create, truncate
 * (O_TRUNC truncates even with O_RDONLY), append, an unnamed temporary file. Such opens are never
 * read-filtered.
 */
#define OPEN_WRITE_FLAGS (O_ACCMODE_VALUE | O_CREAT_VALUE | O_TRUNC_VALUE | O_APPEND_VALUE | O_TMPFILE_BIT)

struct path_key {
	__u32 prefixlen;             /* in bits */
	char data[PREFIX_MAX];
};

/*
 * Watched prefixes, written by user space (io.eunomia.event.path.PathPrefixes): a prefix "/etc"
 * is stored as "/etc/" and "/etc\0", so it matches /etc and what is below it but not /etcfoo.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, __u8);
} path_prefixes SEC(".maps");

/* Key 0: non-zero when path_prefixes is in use (an empty trie would otherwise drop everything). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} prefix_filter SEC(".maps");

/* Records the prefix filter kept out of the ring buffer (per CPU; what the filter saves). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} prefix_skipped SEC(".maps");

/*
 * The read filter (io.eunomia.bpf.ReadFilterMaps): the paths whose successful read-only opens are
 * reported, keyed like path_prefixes. Rules care about reads of a few sensitive files; every other
 * operation (writes, failures, unlink, rename, ...) is reported as before.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, __u8);
} read_prefixes SEC(".maps");

/* Key 0: non-zero when the read filter is on (off: every read is reported). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} read_filter SEC(".maps");

/* Reads the read filter kept out (per CPU; intended, not a loss). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} read_skipped SEC(".maps");

/*
 * The miss filter (io.eunomia.bpf.MissFilterMaps): the paths whose read-only opens failing with
 * ENOENT are reported, keyed like path_prefixes. Git looks for .gitattributes and .gitignore in
 * every directory, the loader and shells probe library and PATH directories: most failed opens are
 * of files that are not there, which rules name only below a few paths (@missingReads). Judged
 * by the path as the caller wrote it, made absolute, as user space reports it; a text with "." or
 * ".." components (or "//") is reported, since only user space normalises it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, __u8);
} miss_prefixes SEC(".maps");

/* Key 0: non-zero when the miss filter is on (off: every failed open is reported). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} miss_filter SEC(".maps");

/* Opens of missing files the miss filter kept out (per CPU; intended, not a loss). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} miss_skipped SEC(".maps");

/*
 * The times filter (io.eunomia.bpf.TimesFilterMaps): the paths whose explicit times (op UTIMES) are
 * reported, keyed like path_prefixes. tar x, cp -p, rsync -t and image layer extraction set the times
 * of every file they write, most by its descriptor (futimens); rules name a few trees (@timesSet).
 * Only a file named by its descriptor is judged (its canonical path); a path the caller wrote is
 * always reported: user space names it by the file it reaches through symlinks and bind mounts
 * (PathCallResolution), which the kernel cannot tell from the text.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, __u8);
} times_prefixes SEC(".maps");

/* Key 0: non-zero when the times filter is on (off: every explicit-times call is reported). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} times_filter SEC(".maps");

/* Explicit-times calls the times filter kept out (per CPU; intended, not a loss). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} times_skipped SEC(".maps");

/*
 * The read filter's cheap first look (io.eunomia.bpf.internal.ReadTops): the first two path
 * components of every read prefix ("etc" "shadow", "root" ".ssh"; "home" "" for all of /home).
 * A read-only open of a file whose first two components are none of them (all of /usr, /proc,
 * /etc/ld.so.cache, /root/.m2) cannot match read_prefixes: it is kept in the kernel after a walk
 * up the dentries that reads one pointer per level, without building its path (names, copies, the
 * trie key). Names are NUL-padded to READ_TOP_MAX bytes; an empty second name stands for anything
 * below the first. User space leaves this check off when a prefix's first component is not a whole
 * name below READ_TOP_MAX bytes ("/e" as a plain string prefix).
 */
#define READ_TOP_MAX 32

struct read_top { char top[READ_TOP_MAX]; char second[READ_TOP_MAX]; };

/* A first look's two maps, one type each so that read_tops and miss_tops cannot differ: its names... */
struct top_names {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct read_top);
	__type(value, __u8);
};

/* ...and its switch (key 0), the filter's generation. */
struct top_switch {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct top_names read_tops SEC(".maps");

/*
 * Key 0: non-zero when read_tops holds the first component of every read prefix. The value is the
 * filter's generation (io.eunomia.bpf.ReadFilterMaps): a new one for every change, so nothing
 * unwanted_dirs learnt under an older filter is taken for the new one.
 */
struct top_switch read_top_filter SEC(".maps");

/*
 * The miss filter's first look, read_tops' twin for miss_prefixes (io.eunomia.bpf.MissFilterMaps):
 * the first two names of every miss prefix, and its switch holding the filter's generation. A read-only
 * open failing with ENOENT of a relative name (git's .gitattributes in every directory) names the file
 * its directory's path + "/" + name; when the directory lies two names or more below the root, those two
 * names are the path's: none of miss_tops' → no miss prefix can match, whatever the name (without "." or
 * ".." components, which only user space resolves). The directory's verdict is remembered per CPU
 * (missing_dirs, kept like unwanted_dirs), so a second name in it costs no walk.
 */
struct top_names miss_tops SEC(".maps");
struct top_switch miss_top_filter SEC(".maps");

/*
 * The first look's memo (README, Read filter): per CPU, a few directories whose files' read-only
 * opens the first look judged unwanted by two names above the file (never by the file's own), so
 * the next open of a file in one of them skips the walk to the root. A directory is known by its
 * dentry and mount, seen from the task's root; a slot holds only while all of these still are what
 * they were: the addresses, the mounts' never-reused ids (a freed mount's address can come back),
 * the directory's device and inode (a freed dentry's address can come back), the read filter's
 * generation and path_gen's. Only on file systems whose directories move only by the calls that
 * bump path_gen (memo_fs).
 */
#define MEMO_SLOTS 256

struct unwanted_dir {
	__u64 dir;       /* the dentry: the file's directory, or the file itself (memo_key_of) */
	__u64 parent;
	__u64 name;      /* its d_name's hash and length */
	__u64 mnt;
	__u64 root_d;
	__u64 root_m;
	__u64 mnt_uid;
	__u64 root_uid;
	__u64 ino;
	__u64 gen;
	__u32 dev;
	__u32 top_gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEMO_SLOTS);
	__type(key, __u32);
	__type(value, struct unwanted_dir);
} unwanted_dirs SEC(".maps");

/* unwanted_dirs for the miss filter: working directories (or dirfds' directories) no miss prefix reaches. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEMO_SLOTS);
	__type(key, __u32);
	__type(value, struct unwanted_dir);
} missing_dirs SEC(".maps");

/*
 * What a directory's path is changes only by a rename or rmdir (its own or an ancestor's: a freed
 * dentry's address may then name another directory), an umount or a mount move (mount, move_mount,
 * pivot_root): [0] counts their starts and ends, which voids every memo slot; [1] counts those
 * under way (started, not ended), during which the memo is neither used nor filled: the kernel has
 * changed the tree before the call's exit program runs. Bumped for every task, watched or not.
 */
#define PATH_GEN 0
#define PATH_CHANGING 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s64);
} path_gen SEC(".maps");

static __always_inline void path_change_begins(void)
{
	__s64 *busy = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_CHANGING});
	__s64 *gen = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_GEN});
	if (busy)
		__sync_fetch_and_add(busy, 1);
	if (gen)
		__sync_fetch_and_add(gen, 1);
}

/* A change whose end no program will see: voids the memo, marks nothing under way. */
static __always_inline void path_change_noted(void)
{
	__s64 *gen = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_GEN});
	if (gen)
		__sync_fetch_and_add(gen, 1);
}

static __always_inline void path_change_ends(void)
{
	__s64 *gen = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_GEN});
	__s64 *busy = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_CHANGING});
	if (gen)
		__sync_fetch_and_add(gen, 1);
	/* An end without its start (a call under way at attach) must not leave the count negative. */
	if (busy && *busy > 0)
		__sync_fetch_and_add(busy, -1);
}

/*
 * Identity watch (README, Evasion routes): the files the read filter watches and the files below
 * the system directories whose writes rules watch, by device (as stat reports it: stat_dev) and inode, each
 * with the path rules know it by; written by user space (io.eunomia.bpf.WatchedInodes), for the
 * host and for each container's root (owner: the container's mount namespace by mntns_key, whose
 * tasks alone it names; 0 for the host's files, which name them for every task). Not the
 * namespace's number: the kernel hands a freed number to the next namespace, which would match a
 * dead container's entries (an overlay's anonymous device is reused too, and its inode numbers are
 * the image's). An open of such a file through
 * another name, a hard link made anywhere on its file system, is reported under that path (the
 * name used goes in new_path).
 */
#define S_IFMT_VALUE 0170000
#define S_IFREG_VALUE 0100000
#define S_IFDIR_VALUE 0040000

struct inode_key {
	__u64 dev;
	__u64 ino;
};

struct watched_name {
	char path[PREFIX_MAX];
	__u64 owner;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct inode_key);
	__type(value, struct watched_name);
} watched_inodes SEC(".maps");

/* A mount namespace as watched_inodes and mntns_scanned know it: its id, or its number with the top bit on kernels without ids. */
static __always_inline __u64 mntns_key(struct task_struct *task)
{
	__u64 id = mntns_id(task);
	return id ? id : (__u64)BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) | (1ULL << 63);
}

/*
 * The first moments of a container, and of a hard link (README, Evasion routes): until user space
 * has written a mount namespace's own files into watched_inodes, and until it has taken in every
 * hard link reported, an open of a regular file of several names that watched_inodes does not
 * hold may be a watched file it cannot name yet. Such an open is reported with its inode
 * (file_event.unnamed) even where the filters would keep it, and user space names it once it
 * knows. mntns_scanned: the namespaces (by id, never reused; the number with the top bit on
 * kernels without ids) whose files user space has written, or that have none of their own (the
 * host's root). link_counts: [0] hard links reported (this program), [1] taken in (user space).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} mntns_scanned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} link_counts SEC(".maps");

/* The lookup key is too large for the stack next to everything else. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_key);
} key_buf SEC(".maps");

struct scan_ctx {
	__u32 off;
	__u32 len;
	bool undecidable;
};

/*
 * Flags a path the trie cannot judge as written: a "." or ".." component or an empty one ("//").
 * "/tmp/../etc/shadow" does not start with "/etc/" but is /etc/shadow.
 */
static long scan_step(__u32 i, void *data)
{
	struct scan_ctx *c = data;
	__u32 zero = 0;
	char *rec = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!rec || i + 1 >= c->len) {
		c->undecidable = !rec;
		return 1;
	}
	__u32 at = c->off + i;
	char ch = rec[at & (SCRATCH_SIZE - 1)];
	char next = rec[(at + 1) & (SCRATCH_SIZE - 1)];
	if (ch == '/' && next == '/') {
		c->undecidable = true;
		return 1;
	}
	if (ch != '.' || (i > 0 && rec[(at - 1) & (SCRATCH_SIZE - 1)] != '/'))
		return 0;
	if (next == '.')
		next = rec[(at + 2) & (SCRATCH_SIZE - 1)];
	if (next == '/' || next == 0) {
		c->undecidable = true;
		return 1;
	}
	return 0;
}

/*
 * The trie key of a stored path (at most PREFIX_MAX bytes of it: a longer path still matches its
 * prefixes), or NULL for a path no trie can judge: empty (unreadable), relative (its dirfd was not
 * open) or "//" (cut by the kernel walk, or spelled so).
 */
static __always_inline struct path_key *path_key_of(char *rec, __u32 off, __u32 len)
{
	__u32 zero = 0;
	if (len == 0)
		return NULL;
	struct path_key *k = bpf_map_lookup_elem(&key_buf, &zero);
	if (!k)
		return NULL;
	__u32 n = len;
	if (n > PREFIX_MAX)
		n = PREFIX_MAX;
	bpf_probe_read_kernel(k->data, n, rec + (off & SCRATCH_OFF_MASK));
	if (k->data[0] != '/' || k->data[1] == '/')
		return NULL;
	/* The NUL takes part, so "/etc\0" matches exactly /etc. */
	k->prefixlen = n * 8;
	return k;
}

/*
 * Whether the path stored in the scratch record at off passes the prefix filter. Paths the trie
 * cannot judge pass: a failed attempt or an operation by path is never dropped for how its path
 * was spelled. A global function (checked once per program, not at every state reaching its two
 * calls: issue 15), so it looks the record up itself (the same per-CPU scratch as its caller's).
 * misses: judged against miss_prefixes (the miss filter) instead of path_prefixes.
 */
__noinline int path_watched(__u32 off, __u32 len, __u32 kind, __s64 ret, __u32 misses)
{
	/* A stored length (a __u16): said so to the verifier, which knows nothing of a global's arguments. */
	len &= 0xffff;
	char *rec = bpf_map_lookup_elem(&scratch_buf, &(__u32){0});
	if (!rec)
		return true;
	struct path_key *k = path_key_of(rec, off, len);
	if (!k)
		return true;
	if (misses ? bpf_map_lookup_elem(&miss_prefixes, k) != NULL : bpf_map_lookup_elem(&path_prefixes, k) != NULL)
		return true;
	if (kind == FILE_PATH_CANONICAL)
		return false;
	/*
	 * The caller's own text may run through a symlink (/tmp/l -> /etc) into a watched tree: it
	 * cannot be judged here and goes to user space. Except a path that does not exist (ENOENT:
	 * the loader probing library paths, PATH lookups), which is judged as written unless "." or
	 * ".." make that impossible.
	 */
	if (ret != -2)
		return true;
	struct scan_ctx c = { .off = off, .len = len, .undecidable = false };
	bpf_loop(len, scan_step, &c, 0);
	return c.undecidable;
}

/*
 * SRC_KERNEL, SRC_KERNEL_RAW: SRC_USER, SRC_RAW for a name the kernel copied (an io_uring request's).
 * SRC_FILE: SRC_FD for a file known without its fd (an io_uring request's own file).
 */
enum path_src { SRC_NONE, SRC_USER, SRC_FD, SRC_RAW, SRC_KERNEL, SRC_KERNEL_RAW, SRC_FILE };

/* Appends one path; sets *kind. SRC_FD falls back to nothing when the fd is not open. */
static __always_inline __u16 put_src(struct task_struct *task, char *rec, __u32 *off, int src, int fd,
				     const char *upath, struct file *f, __u8 *kind)
{
	switch (src) {
	case SRC_FILE:
		*kind = FILE_PATH_CANONICAL;
		return f ? put_path(task, rec, off, &f->f_path) : 0;
	/* One instance for user and kernel text each (a path call's is a kernel copy: path_call_texts). */
	case SRC_USER:
	case SRC_KERNEL:
		*kind = FILE_PATH_LEXICAL;
		return put_path_arg(task, rec, off, fd, upath, src == SRC_KERNEL);
	case SRC_FD:
		*kind = FILE_PATH_CANONICAL;
		return put_fd_path(task, rec, off, fd);
	case SRC_RAW:
	case SRC_KERNEL_RAW:
		*kind = FILE_PATH_RAW;
		return src == SRC_KERNEL_RAW ? put_kernel_str(rec, off, upath, PATH_LEN - 1)
					     : put_user_str(rec, off, upath, PATH_LEN - 1);  /* the helper masks with 4095 */
	default:
		*kind = 0;
		return 0;
	}
}

struct file_call {
	__u16 op;
	__u8 src;      /* enum path_src of path */
	__u8 src2;     /* of new_path */
	int fd;        /* dirfd (SRC_USER) or fd (SRC_FD) */
	int fd2;
	const char *path;
	const char *path2;
	struct file *file;  /* an open's file when it has no fd (an io_uring open into a fixed-file slot); SRC_FILE's */
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
};

/*
 * Whether the miss filter keeps in the kernel the read-only open that failed with ENOENT whose path
 * (as the caller wrote it, made absolute) is stored at off: below none of miss_prefixes and without
 * "." or ".." components (path_watched's rules for a failed open, on the miss trie); counted
 * (miss_skipped). A global function: the exit programs' frames stay as they were.
 */
__noinline int miss_filtered(__u32 off, __u32 len)
{
	__u32 *on = bpf_map_lookup_elem(&miss_filter, &(__u32){0});
	if (!on || !*on || path_watched(off, len, FILE_PATH_LEXICAL, -2, 1))
		return false;
	__u64 *skipped = bpf_map_lookup_elem(&miss_skipped, &(__u32){0});
	if (skipped)
		*skipped += 1;
	return true;
}

/*
 * Whether the times filter keeps in the kernel the explicit-times call (op UTIMES) on the file open as
 * fd whose canonical path (futimens' file) is stored at off: below none of times_prefixes. A path as the
 * caller wrote it, or one the walk could not build (len 0), is reported; so is a file that path may not
 * name as rules do: one of several names (`ln /usr/bin/sudo /tmp/s; touch -d .. /tmp/s`) or one opened
 * through another mount of the root's file system (a bind of / or of /usr). Counted (times_skipped). A
 * global function: the exit programs' frames stay as they were, the file's lookup is in its own.
 */
static __always_inline bool several_names(struct inode *inode);
static __always_inline bool via_other_mount(struct task_struct *task, struct file *f);

__noinline int times_filtered(__u32 off, __u32 len, __u32 kind, int fd)
{
	/* A stored length (a __u16): said so to the verifier, which knows nothing of a global's arguments. */
	len &= 0xffff;
	__u32 *on = bpf_map_lookup_elem(&times_filter, &(__u32){0});
	char *rec = bpf_map_lookup_elem(&scratch_buf, &(__u32){0});
	if (!on || !*on || kind != FILE_PATH_CANONICAL || !rec)
		return false;
	struct path_key *k = path_key_of(rec, off, len);
	if (!k || bpf_map_lookup_elem(&times_prefixes, k))
		return false;
	struct file *f = current_fd_file(fd);
	if (!f || several_names(KVIEW(file, f)->f_inode) || via_other_mount(bpf_get_current_task_btf(), f))
		return false;
	__u64 *skipped = bpf_map_lookup_elem(&times_skipped, &(__u32){0});
	if (skipped)
		*skipped += 1;
	return true;
}

/*
 * Whether the read filter keeps this event in the kernel: a successful read-only open whose file
 * (canonical path) is below none of read_prefixes; or the miss filter (miss_filtered, which counts
 * it), for a read-only open that failed with ENOENT. A path the trie cannot judge (a pseudo file,
 * a path cut by the walk, or an open whose fd was gone and is named as the caller spelled it)
 * is reported: an extra event costs little, a missing one cannot be recovered.
 */
static __always_inline bool read_unwanted(struct file_call *fc, long ret, char *rec, __u32 off, __u32 len, __u8 kind)
{
	if (fc->op != FOP_OPEN || (fc->flags & OPEN_WRITE_FLAGS))
		return false;
	if (ret < 0)  /* the miss filter's, which counts it: a failure's path is as written */
		return ret == -2 && kind == FILE_PATH_LEXICAL && miss_filtered(off, len);
	if (kind != FILE_PATH_CANONICAL)
		return false;
	__u32 *on = bpf_map_lookup_elem(&read_filter, &(__u32){0});
	if (!on || !*on)
		return false;
	struct path_key *k = path_key_of(rec, off, len);
	return k && !bpf_map_lookup_elem(&read_prefixes, k);
}

struct top_walk {
	struct dentry *d;
	struct dentry *below;        /* the dentry last stepped up from: at the end, the first component */
	struct dentry *below2;       /* the one stepped up from before it: the second component */
	struct vfsmount *vmnt;
	struct mount *mnt;
	struct dentry *mnt_root;
	struct dentry *root_d;
	struct vfsmount *root_m;
	bool complete;
};

/* What an open's slot must hold, but for the dentry's own fields (memo_fill). */
struct memo_key {
	struct unwanted_dir want;
	bool usable;    /* no path change under way, mount ids known */
};

/*
 * The first look's lookup key and memo key, off the stack: its frame follows a 32-bit call's two
 * (compat_exit and its handler) under the verifier's 512 bytes, which the miss filter's first look
 * would have passed (issue 15).
 */
struct top_look {
	struct read_top key;
	struct memo_key memo;
	struct top_walk walk;  /* top_step's */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct top_look);
} top_looks SEC(".maps");

/* walk_step (path.bpf.h) without the names: the same mount crossings, one read per level. w: top_looks' (data unused). */
static long top_step(__u32 i, void *data)
{
	struct top_look *look = bpf_map_lookup_elem(&top_looks, &(__u32){0});
	if (!look)
		return 1;
	struct top_walk *w = &look->walk;
	if (w->d == w->root_d && w->vmnt == w->root_m) {
		w->complete = true;
		return 1;
	}
	/*
	 * Locals: BPF_CORE_READ on a field of this struct would relocate it too. The reads go straight
	 * into w (no stack of its own: tops_unwanted's frame and this one follow a 32-bit call's two under
	 * the verifier's 512 bytes); a walk that stops reads nothing of w but below, below2 and complete.
	 */
	struct dentry *d = w->d;
	struct mount *mnt = w->mnt;
	if (d == w->mnt_root) {
		BPF_CORE_READ_INTO(&w->mnt, mnt, mnt_parent);
		struct mount *mp = w->mnt;
		if (mp == mnt || !mp)
			return 1;
		struct vfsmount *vmnt = (void *)mp + bpf_core_field_offset(struct mount, mnt);
		BPF_CORE_READ_INTO(&w->d, mnt, mnt_mountpoint);
		w->vmnt = vmnt;
		BPF_CORE_READ_INTO(&w->mnt_root, vmnt, mnt_root);
		return 0;
	}
	BPF_CORE_READ_INTO(&w->d, d, d_parent);  /* the parent */
	if (w->d == d)
		return 1;  /* a pseudo file: no absolute path, the full walk decides */
	w->below2 = w->below;
	w->below = d;
	return 0;
}

/* File systems whose directories change their path only by the calls that bump path_gen. */
#define EXT4_MAGIC 0xEF53
#define XFS_MAGIC 0x58465342
#define BTRFS_MAGIC 0x9123683E
#define TMPFS_MAGIC 0x01021994
#define OVERLAYFS_MAGIC 0x794c7630
#define RAMFS_MAGIC 0x858458f6

/*
 * Not procfs, sysfs, cgroupfs, network or FUSE file systems: their directories come and go (a
 * process's /proc/PID) or are renamed elsewhere without any call here.
 */
static __always_inline bool memo_fs(unsigned long magic)
{
	return magic == EXT4_MAGIC || magic == XFS_MAGIC || magic == BTRFS_MAGIC || magic == TMPFS_MAGIC ||
	       magic == OVERLAYFS_MAGIC || magic == RAMFS_MAGIC;
}


static __always_inline void memo_look(struct memo_key *m, struct vfsmount *vmnt, struct dentry *root_d,
				      struct vfsmount *root_m, __u32 top_gen)
{
	__s64 *busy = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_CHANGING});
	/* Read before the walk: a change that starts during it voids what the walk finds. */
	__s64 *gen = bpf_map_lookup_elem(&path_gen, &(__u32){PATH_GEN});
	m->usable = false;
	if (!busy || !gen || *busy > 0)
		return;
	struct mount *mnt = KVIEW(mount, (__u64)vmnt - bpf_core_field_offset(struct mount, mnt));
	struct mount *root_mnt = KVIEW(mount, (__u64)root_m - bpf_core_field_offset(struct mount, mnt));
	if (!bpf_core_field_exists(mnt->mnt_id_unique))
		return;
	m->want.gen = *gen;
	m->want.top_gen = top_gen;
	m->want.mnt = (__u64)vmnt;
	m->want.root_d = (__u64)root_d;
	m->want.root_m = (__u64)root_m;
	m->want.mnt_uid = mnt->mnt_id_unique;
	m->want.root_uid = root_mnt->mnt_id_unique;
	m->usable = true;
}

/* By its name's hash (salted with the parent's address): the verifier allows no arithmetic on d itself. miss: missing_dirs'. */
static __always_inline struct unwanted_dir *memo_slot(struct dentry *d, bool miss)
{
	__u32 h = d->d_name.hash;
	__u32 at = (h ^ (h >> 8) ^ (h >> 16)) & (MEMO_SLOTS - 1);
	return miss ? bpf_map_lookup_elem(&missing_dirs, &at) : bpf_map_lookup_elem(&unwanted_dirs, &at);
}

/* The dentry's own part of a slot: what it is (device, inode) and where (parent, name). d: a KVIEW. */
static __always_inline void memo_fill(struct unwanted_dir *w, struct dentry *d)
{
	w->dir = (__u64)d;
	w->parent = (__u64)d->d_parent;
	w->name = d->d_name.hash_len;
	w->ino = d->d_inode->i_ino;
	w->dev = d->d_sb->s_dev;
}

/* Whether d's slot says its files (d a directory) or d itself (a file) cannot match a read prefix. */
static __always_inline bool memo_hit(struct memo_key *m, struct dentry *d, bool miss)
{
	struct unwanted_dir *s = memo_slot(d, miss);
	struct unwanted_dir *w = &m->want;
	if (!m->usable || !s || s->dir != (__u64)d || s->gen != w->gen || s->top_gen != w->top_gen ||
	    s->mnt != w->mnt || s->root_d != w->root_d || s->root_m != w->root_m || s->mnt_uid != w->mnt_uid ||
	    s->root_uid != w->root_uid)
		return false;
	memo_fill(w, d);
	return s->parent == w->parent && s->name == w->name && s->ino == w->ino && s->dev == w->dev;
}

/* Fills d's slot, its address last: a program that preempts this one meanwhile finds no match. */
static __always_inline void memo_learn(struct memo_key *m, struct dentry *d, bool miss)
{
	struct unwanted_dir *s = memo_slot(d, miss);
	if (!m->usable || !s || !memo_fs(d->d_sb->s_magic))
		return;
	memo_fill(&m->want, d);
	s->dir = 0;
	m->want.dir = 0;
	*s = m->want;
	s->dir = (__u64)d;
}

/*
 * Remembers what the first look judged unwanted: learn (memo_learn); for a read of a directory below
 * learn (tar, find, git opening each directory to list it), that directory too: the next opens below it
 * (its entries, whose directory it is) hit the memo instead of walking again.
 */
static __always_inline void tops_learn(struct memo_key *m, struct dentry *learn, struct dentry *file, bool miss)
{
	memo_learn(m, learn, miss);
	if (!miss && (__u64)learn != (__u64)file && (file->d_inode->i_mode & S_IFMT_VALUE) == S_IFDIR_VALUE)
		memo_learn(m, file, miss);
}

/*
 * The first look (read_tops, or miss_tops for miss): whether no prefix can match below the file at
 * path_addr (a struct path: for a read, the opened file's; for a miss, the directory its name is
 * relative to), judged by the first two components of its path as the task sees it. False whenever
 * that is not known for sure (filter off, a pseudo file, a walk that did not reach the task's root,
 * fewer than two names): the full path and the trie decide then, as they always did. What is judged
 * so is remembered (unwanted_dirs, missing_dirs): for a read, the file's directory when both names
 * are above the file, else the file; for a miss, the directory. file, dir, vmnt: the same as typed
 * views (for a miss, dir is file). The walk's state lives in a block of its own, so the names read
 * after it reuse its stack.
 */
static __always_inline int tops_unwanted(__u64 task_addr, __u64 path_addr, struct dentry *file, struct dentry *dir,
					 struct vfsmount *vmnt, bool miss)
{
	struct task_struct *task = (struct task_struct *)task_addr;
	const struct path *p = (const struct path *)path_addr;
	__u32 zero = 0;  /* one stack slot for the three lookups */
	__u32 *on = miss ? bpf_map_lookup_elem(&miss_filter, &zero) : bpf_map_lookup_elem(&read_filter, &zero);
	__u32 *tops = miss ? bpf_map_lookup_elem(&miss_top_filter, &zero) : bpf_map_lookup_elem(&read_top_filter, &zero);
	if (!on || !*on || !tops || !*tops)
		return false;
	__u32 top_gen = *tops;
	struct top_look *look = bpf_map_lookup_elem(&top_looks, &zero);
	if (!look)
		return false;
	struct memo_key *m = &look->memo;
	struct fs_struct *fs = bpf_get_current_task_btf()->fs;
	memo_look(m, vmnt, fs->root.dentry, fs->root.mnt, top_gen);
	if (memo_hit(m, dir, miss)) {
		/*
		 * A directory opened in a remembered one (tar, find: every directory they list) is remembered
		 * too: its entries' first two names are its own, judged with its parent's, so their opens hit
		 * instead of walking to the root once per directory.
		 */
		if (!miss && (__u64)dir != (__u64)file && (file->d_inode->i_mode & S_IFMT_VALUE) == S_IFDIR_VALUE)
			memo_learn(m, file, miss);
		return true;
	}
	if (!miss && memo_hit(m, file, miss))
		return true;
	/* The walk's state is plain values (the loop's callback sees no types): read again so. */
	struct top_walk *w = &look->walk;
	__builtin_memset(w, 0, sizeof(*w));
	BPF_CORE_READ_INTO(&w->vmnt, p, mnt);
	BPF_CORE_READ_INTO(&w->d, p, dentry);
	BPF_CORE_READ_INTO(&w->root_d, task, fs, root.dentry);
	BPF_CORE_READ_INTO(&w->root_m, task, fs, root.mnt);
	struct vfsmount *wmnt = w->vmnt;  /* a local: CO-RE would relocate a field of w as the source */
	w->mnt = (void *)wmnt - bpf_core_field_offset(struct mount, mnt);
	BPF_CORE_READ_INTO(&w->mnt_root, wmnt, mnt_root);
	bpf_loop(PATH_COMPONENTS, top_step, NULL, 0);
	struct dentry *top = w->below, *second = w->below2;
	if (!w->complete || !top || !second)
		return false;  /* "/" or a top-level entry itself: rare, the trie decides */
	/*
	 * A read's verdict is remembered for the file's directory when both names are above the file;
	 * when the second is the file's own (/etc/ld.so.cache, /dev/null), for the file alone, its parent
	 * and name checked. A miss's (dir is file) for its directory.
	 */
	struct dentry *learn = (__u64)second == (__u64)file ? file : dir;
	struct read_top *key = &look->key;
	/* The names by direct loads: no copy of a struct qstr on this frame (the 32-bit chain's). */
	struct dentry *name = KVIEW(dentry, top);
	if (name->d_name.len >= READ_TOP_MAX) {
		tops_learn(m, learn, file, miss);
		return true;  /* no name in the tops is that long */
	}
	__builtin_memset(key, 0, sizeof(*key));
	bpf_probe_read_kernel(key->top, name->d_name.len & (READ_TOP_MAX - 1), name->d_name.name);
	if (miss ? bpf_map_lookup_elem(&miss_tops, key) : bpf_map_lookup_elem(&read_tops, key))
		return false;  /* everything below this top-level directory may be wanted */
	name = KVIEW(dentry, second);
	if (name->d_name.len < READ_TOP_MAX) {
		bpf_probe_read_kernel(key->second, name->d_name.len & (READ_TOP_MAX - 1), name->d_name.name);
		if (miss ? bpf_map_lookup_elem(&miss_tops, key) : bpf_map_lookup_elem(&read_tops, key))
			return false;
	}
	tops_learn(m, learn, file, miss);
	return true;
}

/*
 * Whether the successful read-only open of f (its fd's file) cannot match any read prefix
 * (tops_unwanted). A global function (checked once per program: issue 15): task and f come as
 * numbers. Its frame follows a 32-bit call's two (compat_exit and its handler) under the verifier's
 * 512 bytes.
 */
__noinline int read_top_unwanted(__u64 task_addr, __u64 file_addr)
{
	struct file *f = (struct file *)file_addr;
	if (!f)
		return false;
	struct file *bf = KVIEW(file, f);
	struct dentry *file = bf->f_path.dentry;
	return tops_unwanted(task_addr, (__u64)&f->f_path, file, file->d_parent, bf->f_path.mnt, false);
}

/*
 * Whether the miss filter keeps back a read-only open that failed with ENOENT, by its name (upath, user
 * memory) and its directory alone, before any path is built (issue 15: git's .gitattributes in every
 * directory paid a walk of the cwd and a copy of its path each): a relative name without "." or ".."
 * components or "//", in a directory (dirfd's, or the cwd) two names or more below the root whose
 * first two no miss prefix has (tops_unwanted, remembered in missing_dirs). Anything else goes on to
 * the full path and miss_filtered, as before; so does everything while the prefix filter is on (it
 * counts its own). Counted in miss_skipped. A global function: the exit programs' frames stay as they were.
 */
__noinline int miss_dir_unwanted(__u64 task_addr, int dirfd, __u64 upath)
{
	__u32 zero = 0;
	__u32 *prefixes = bpf_map_lookup_elem(&prefix_filter, &zero);
	char *rec = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!prefixes || *prefixes || !rec)
		return false;
	/* The name goes where the record's path would: path_watched's scan reads it there. */
	__u32 off = sizeof(struct file_event);
	long n = bpf_probe_read_user_str(rec + off, PATH_LEN, (const char *)upath);
	if (n <= 1 || rec[off] == '/')
		return false;
	struct scan_ctx c = { .off = off, .len = n, .undecidable = false };
	bpf_loop(n, scan_step, &c, 0);
	if (c.undecidable)
		return false;
	struct file *f = NULL;
	const struct path *p;
	if (dirfd == AT_FDCWD_VALUE) {
		p = &bpf_get_current_task_btf()->fs->pwd;
	} else {
		f = current_fd_file(dirfd);
		if (!f)
			return false;
		p = &KVIEW(file, f)->f_path;
	}
	struct dentry *d = p->dentry;
	if (!tops_unwanted(task_addr, (__u64)p, d, d, p->mnt, true))
		return false;
	__u64 *skipped = bpf_map_lookup_elem(&miss_skipped, &zero);
	if (skipped)
		*skipped += 1;
	return true;
}

/*
 * Overlayfs's inode (fs/overlayfs/ovl_entry.h, 6.5+), only the fields read: flavours, so a build
 * host whose vmlinux.h lacks them (overlay built as a module) still compiles, and a kernel whose
 * layout differs (ovl_inode.oe absent) takes the fallback. Read with probe reads: overlay may be a
 * module, whose types bpf_rdonly_cast cannot view.
 */
struct ovl_path___eun {
	void *layer;
	struct dentry *dentry;
} __attribute__((preserve_access_index));

struct ovl_entry___eun {
	unsigned int __numlower;
	struct ovl_path___eun __lowerstack[];
} __attribute__((preserve_access_index));

struct ovl_inode___eun {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
	struct ovl_entry___eun *oe;
} __attribute__((preserve_access_index));

/*
 * Whether the file of inode may have more than one name. An overlay's inode of a file that lives
 * in a lower layer only (a container image's file not written to) keeps the link count 1 whatever
 * its real file's (overlay breaks lower hard links on copy-up, so it counts them as one each),
 * while stat through the overlay reports the real count: an image's /srv/x hard-linked to its
 * /etc/shadow is such a file. Its link count is read from the lower layer's inode; where that
 * cannot be read (another layout), every such overlay file may have several names.
 */
static __always_inline bool several_names(struct inode *inode)
{
	if (inode->i_nlink >= 2)
		return true;
	if (inode->i_sb->s_magic != OVERLAYFS_MAGIC || (inode->i_mode & S_IFMT_VALUE) != S_IFREG_VALUE)
		return false;  /* a directory's open pays no probe read */
	if (!bpf_core_field_exists(struct ovl_inode___eun, oe))
		return true;
	struct ovl_inode___eun *oi = (void *)inode - bpf_core_field_offset(struct ovl_inode___eun, vfs_inode);
	if (BPF_CORE_READ(oi, __upperdentry))
		return false;  /* in the upper layer: the overlay's count is the upper file's */
	struct ovl_entry___eun *oe = BPF_CORE_READ(oi, oe);
	if (!oe || BPF_CORE_READ(oe, __numlower) == 0)
		return false;
	struct dentry *lower = BPF_CORE_READ(oe, __lowerstack[0].dentry);
	return lower && BPF_CORE_READ(lower, d_inode, i_nlink) >= 2;
}

/*
 * The watched path of the file f is, or NULL. Only a file of more than one name can be opened by
 * another name than its own: most opens stop at the link count, without the hash lookup. Only a
 * regular file is watched (WatchedInodes): a directory, whose link count is always 2 or more (tar and
 * git open every directory they list), stops at its type.
 */
static __always_inline struct watched_name *watched_inode(struct task_struct *task, struct file *f)
{
	struct inode *inode = KVIEW(file, f)->f_inode;
	if ((inode->i_mode & S_IFMT_VALUE) != S_IFREG_VALUE || !several_names(inode))
		return NULL;
	struct inode_key k = {};
	k.dev = stat_dev(inode);
	k.ino = inode->i_ino;
	struct watched_name *w = bpf_map_lookup_elem(&watched_inodes, &k);
	/* A container's file is its /etc/shadow for its own tasks only: the host reads its rootfs. */
	if (w && w->owner && w->owner != mntns_key(task))
		return NULL;
	return w;
}

/*
 * Why an open of f (a file watched_inodes does not name) must go to user space with its inode
 * (FILE_UNNAMED_*), 0 for most: only a regular file of several names pays the two lookups.
 */
static __always_inline __u32 unnamed_reason(struct task_struct *task, struct file *f, struct inode_key *k)
{
	struct inode *inode = KVIEW(file, f)->f_inode;
	if ((inode->i_mode & S_IFMT_VALUE) != S_IFREG_VALUE || !several_names(inode))
		return 0;
	__u32 why = 0;
	__u64 *made = bpf_map_lookup_elem(&link_counts, &(__u32){0});
	__u64 *named = bpf_map_lookup_elem(&link_counts, &(__u32){1});
	if (made && named && *made > *named)
		why |= FILE_UNNAMED_LINK_PENDING;
	struct sensor_settings *cfg = get_settings();
	__u32 ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	if (cfg && cfg->host_mntns && ns != cfg->host_mntns) {
		__u64 id = mntns_key(task);
		if (!bpf_map_lookup_elem(&mntns_scanned, &id))
			why |= FILE_UNNAMED_NOT_SCANNED;
	}
	if (why) {
		k->dev = stat_dev(inode);
		k->ino = inode->i_ino;
	}
	return why;
}

/*
 * /proc/PID/mem (and /proc/PID/task/TID/mem) of another process than the caller's (README, Evasion
 * routes: T1003.007, T1055). Read-only opens below /proc are kept in the kernel by the read filter;
 * this one is reported, marked FILE_FACT_OTHER_PROC_MEM, so a rule can tell it from a process reading
 * its own memory (the kernel decides, as process_vm_readv's own_target does). Costs each open one
 * superblock magic read; only procfs files named "mem" read more.
 */
#define PROC_SUPER_MAGIC_VALUE 0x9fa0

struct proc_inode___eun {
	struct pid *pid;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

/* A global function: the exit programs' frames (a 32-bit call's two among them) stay as they were. */
__noinline __u32 other_proc_mem(__u64 file_addr)
{
	struct file *kf = KVIEW(file, file_addr);
	struct inode *inode = kf->f_inode;
	if (!inode || inode->i_sb->s_magic != PROC_SUPER_MAGIC_VALUE)
		return 0;
	struct dentry *d = kf->f_path.dentry;
	char name[4] = {};
	if (d->d_name.len != 3 || bpf_probe_read_kernel(name, 3, d->d_name.name) || name[0] != 'm' || name[1] != 'e' ||
	    name[2] != 'm')
		return 0;
	/* The process the file stands for: the first task of its pid (gone: another, by definition). */
	struct proc_inode___eun *pi = (void *)inode - bpf_core_field_offset(struct proc_inode___eun, vfs_inode);
	struct pid *pid = BPF_CORE_READ(pi, pid);
	struct hlist_node *first = pid ? BPF_CORE_READ(pid, tasks[0].first) : NULL;
	if (!first)
		return FILE_FACT_OTHER_PROC_MEM;
	struct task_struct *target = (void *)first - bpf_core_field_offset(struct task_struct, pid_links);
	return BPF_CORE_READ(target, tgid) != (__s32)(bpf_get_current_pid_tgid() >> 32) ? FILE_FACT_OTHER_PROC_MEM : 0;
}

/*
 * Whether f was opened through another mount of the superblock the task's root is on (a bind mount
 * of /etc, or of / itself): its path through that mount is not the one rules know it by.
 */
static __always_inline bool via_other_mount(struct task_struct *task, struct file *f)
{
	struct vfsmount *m = KVIEW(file, f)->f_path.mnt;
	struct vfsmount *root = bpf_get_current_task_btf()->fs->root.mnt;
	return m != root && m->mnt_sb == root->mnt_sb;
}

/*
 * A host file a container opened through a bind mount (README, Evasion routes: `-v /etc:/host/etc`,
 * `-v /:/host`): its name in the container (/host/etc/shadow) is not the one rules protect. A task
 * outside the host's mount namespace that opened, through another mount than its root's, a file of
 * the host root's file system (settings.host_root_dev) gets the file's path from the host's root
 * (settings.host_root_ino; walked up the dentries, no mounts: the host's path of a file below the
 * root's own file system), marked FILE_FACT_HOST_PATH. A container's own files are on its root's
 * mount (an overlay, or a runc rootfs directory bind-mounted onto itself): never named so.
 */
struct host_walk {
	struct dentry *d;
	__u64 root_ino;
	__u32 pos;
	bool complete;
};

static long host_step(__u32 i, void *data)
{
	struct host_walk *w = data;
	char *buf = get_path_buf();
	if (!buf)
		return 1;
	struct dentry *d = w->d;
	if (BPF_CORE_READ(d, d_inode, i_ino) == w->root_ino) {
		w->complete = true;
		return 1;
	}
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	if (!parent || parent == d)
		return 1;  /* the file system's root without passing the host's: not below it */
	if (!prepend_name(buf, &w->pos, d))
		return 1;
	w->d = parent;
	return 0;
}

/* The host path of the file at file_addr in path_buf, where it starts; PATH_LEN - 1 when it has none (global: own frame). */
__noinline __u32 host_path_of(__u64 file_addr, __u64 task_addr)
{
	char *buf = get_path_buf();
	struct sensor_settings *cfg = get_settings();
	if (!buf || !cfg || !cfg->host_root_dev || !cfg->host_mntns)
		return PATH_LEN - 1;
	struct file *f = KVIEW(file, file_addr);
	struct task_struct *task = KVIEW(task_struct, task_addr);
	if (task->nsproxy->mnt_ns->ns.inum == cfg->host_mntns || f->f_path.mnt == task->fs->root.mnt)
		return PATH_LEN - 1;
	if (stat_dev(f->f_inode) != cfg->host_root_dev)
		return PATH_LEN - 1;
	/* A task whose root is the host's (a service in a namespace of its own: ProtectSystem, a snap) names host paths already. */
	struct inode *root = task->fs->root.dentry->d_inode;
	if (root->i_ino == cfg->host_root_ino && stat_dev(root) == cfg->host_root_dev)
		return PATH_LEN - 1;
	struct host_walk w = {};
	w.d = f->f_path.dentry;
	w.root_ino = cfg->host_root_ino;
	w.pos = PATH_LEN - 1;
	buf[PATH_LEN - 1] = 0;
	bpf_loop(PATH_COMPONENTS, host_step, &w, 0);
	if (!w.complete || w.pos >= PATH_LEN - 1)
		return PATH_LEN - 1;  /* not below the host's root, or the root itself */
	return w.pos & (PATH_LEN - 1);
}

/* Whether f is a directory opened through the current task's root mount. */
static __always_inline bool dir_on_root(struct file *f)
{
	struct file *kf = KVIEW(file, f);
	return (kf->f_inode->i_mode & S_IFMT_VALUE) == S_IFDIR_VALUE &&
	       kf->f_path.mnt == bpf_get_current_task_btf()->fs->root.mnt;
}

/*
 * Appends the host path of f (host_path_of) marked FILE_FACT_HOST_PATH; 0 (nothing appended) when it
 * has none: a host task's file, a container's own, a file on another file system than the host root's.
 */
static __always_inline __u16 put_host_path(struct task_struct *task, char *rec, __u32 *off, struct file *f)
{
	char *buf = get_path_buf();
	if (!buf || !f)
		return 0;
	__u32 start = host_path_of(plain_addr(buf, f), plain_addr(buf, task));
	if (start >= PATH_LEN - 1)
		return 0;
	((struct file_event *)rec)->facts |= FILE_FACT_HOST_PATH;
	return put_buf_path(rec, off, buf, start);
}

/*
 * The path rules know an opened file by when the name used may not be it: a watched file's
 * (watched_inodes: a hard link), else the path through the task's root of a file opened through
 * a bind mount. Appends it and returns its length; 0 (nothing appended) for any other open. Runs
 * before any filter: the name used decides nothing for such a file.
 */
static __always_inline __u16 put_identity_path(struct task_struct *task, char *rec, __u32 *off, struct file *f)
{
	struct watched_name *w = watched_inode(task, f);
	if (w) {
		__u32 o = *off & SCRATCH_OFF_MASK;
		if (scratch_full(*off))
			return 0;
		long n = bpf_probe_read_kernel_str(rec + o, PREFIX_MAX, w->path);
		if (n <= 0)
			return 0;
		*off = o + (n & (PREFIX_MAX * 2 - 1));
		return n & (PREFIX_MAX * 2 - 1);
	}
	if (via_other_mount(task, f)) {
		__u16 n = put_path_in_root(task, rec, off, BPF_CORE_READ(f, f_path.dentry));
		if (n)
			return n;
	}
	return put_host_path(task, rec, off, f);
}

/* Appends the path of an opened file (canonical); 0 when there is none. */
static __always_inline __u16 put_file_path(struct task_struct *task, char *rec, __u32 *off, struct file *f, __u8 *kind)
{
	*kind = FILE_PATH_CANONICAL;
	return f ? put_path(task, rec, off, &f->f_path) : 0;
}

/*
 * Whether the prefix filter keeps a record of these paths in the kernel (and counts it). Paths
 * the trie cannot judge pass (path_watched).
 */
static __always_inline bool prefix_unwatched(__u32 off1, __u16 len, __u8 kind, __u32 off2, __u16 len2,
					     __u8 kind2, long ret, bool count)
{
	__u32 *filter = bpf_map_lookup_elem(&prefix_filter, &(__u32){0});
	if (filter && *filter &&
	    !path_watched(off1, len, kind, ret, 0) &&
	    (len2 == 0 || !path_watched(off2, len2, kind2, ret, 0))) {
		__u64 *skipped = count ? bpf_map_lookup_elem(&prefix_skipped, &(__u32){0}) : NULL;
		if (skipped)
			*skipped += 1;
		return true;
	}
	return false;
}

/* The record's fixed part (the header's result is the caller's). */
static __always_inline void fill_file_event(struct file_event *e, struct task_struct *task, __s32 nr, struct file_call *fc,
					    __u16 len, __u16 len2, __u8 kind, __u8 alias)
{
	fill_header(&e->h, task, EVT_FILE, nr);
	e->flags = fc->flags;
	e->mode = fc->mode;
	e->uid = fc->uid;
	e->gid = fc->gid;
	e->op = fc->op;
	e->path_len = len;
	e->new_path_len = len2;
	e->path_kind = kind;
	e->path_alias = alias;
	e->unnamed = 0;
	e->dev = 0;
	e->ino = 0;
	e->text_changed = 0;
	if (fc->op != FOP_UTIMES) {  /* a utimes call's handler put its times there (explicit_times) */
		e->atime_sec = 0;
		e->atime_nsec = 0;
		e->mtime_sec = 0;
		e->mtime_nsec = 0;
	}
	struct dentry *root = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *root_vm = BPF_CORE_READ(task, fs, root.mnt);
	e->root_ino = root ? BPF_CORE_READ(root, d_inode, i_ino) : 0;
	e->root_mnt_id = 0;
	if (root_vm) {
		/* real_mount(): the struct mount around the vfsmount. */
		struct mount *m = KVIEW(mount, (__u64)root_vm - bpf_core_field_offset(struct mount, mnt));
		e->root_mnt_id = bpf_core_field_exists(m->mnt_id_unique) ? m->mnt_id_unique : (__u64)(__u32)m->mnt_id;
	}
}

/*
 * Sends a filled record. A hard link is counted once it is in the ring: user space counts the
 * ones it took in, in ring order (link_counts).
 */
static __always_inline void emit_file_event(char *rec, __u32 size)
{
	struct file_event *e = (struct file_event *)rec;
	if (emit_scratch(rec, size) && e->op == FOP_LINK && e->h.ret == 0) {
		__u64 *made = bpf_map_lookup_elem(&link_counts, &(__u32){0});
		if (made)
			__sync_fetch_and_add(made, 1);
	}
}

/*
 * ---- a path call's text as the kernel copies it (TOCTOU: entry_texts.bpf.h) ----
 * The path calls' strings (unlink, rename, link, symlink, truncate, chmod, chown, mkdir and their
 * *at forms) are read at entry too, right before the kernel copies them: nothing between their
 * entry and the kernel's copy can wait, so the record carries the entry's text (COPIED_AT_ENTRY),
 * while a call that waits in the kernel after its copy (a second path in a userfaultfd page, a
 * directory lock another thread holds) gives the caller all the time it wants to rewrite the buffer
 * before the exit reads it (text_changed).
 */

/* on_enter of calls (also 32-bit ones: COMPAT_PROGRAMS) keeping the texts at arguments I and J (entry_texts.bpf.h) */
KEEP_TEXTS_FN(0, -1, 0)
KEEP_TEXTS_FN(1, -1, 1)
KEEP_TEXTS_FN(0, 1, 0_1)
KEEP_TEXTS_FN(1, 3, 1_3)
KEEP_TEXTS_FN(0, 2, 0_2)

/*
 * Points a path call's user texts (SRC_USER, SRC_RAW) at call_texts, filled by take_text, as kernel
 * texts (SRC_KERNEL, SRC_KERNEL_RAW): report_with then takes one way whatever their source (the
 * verifier walks it once, not once per source). Ends the thread's slot; a watched path call that
 * finds no live slot of its own is counted (its entry could not make one). Returns FILE_TEXT_CHANGED_*,
 * or -1 when there is no scratch (nothing can be reported).
 */
static __always_inline long path_call_texts(struct syscall_args *a, struct file_call *fc)
{
	struct call_texts *ct = bpf_map_lookup_elem(&call_texts, &(__u32){0});
	if (!ct)
		return -1;
	struct entry_texts *t = end_entry_texts(a->nr);
	__u32 changed = 0;
	take_text(ct->text[0], t, 0, fc->path, &changed, COPIED_AT_ENTRY);
	fc->path = ct->text[0];
	fc->src = fc->src == SRC_USER ? SRC_KERNEL : SRC_KERNEL_RAW;
	if (fc->src2 == SRC_USER) {
		take_text(ct->text[1], t, 1, fc->path2, &changed, COPIED_AT_ENTRY);
		fc->path2 = ct->text[1];
		fc->src2 = SRC_KERNEL;
	}
	return changed;
}

static __always_inline void report_with(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a,
					struct file_call *fc, __u32 changed);

static __always_inline void report(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a,
				   struct file_call *fc)
{
	long changed = 0;
	if (fc->op != FOP_OPEN && (fc->src == SRC_USER || fc->src == SRC_RAW)) {
		changed = path_call_texts(a, fc);
		if (changed < 0)
			return;
	}
	report_with(ctx, a, fc, changed);
}

static __always_inline void report_with(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a,
					struct file_call *fc, __u32 changed)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* A missing file's open the miss filter can judge by its name and directory: no path is built. */
	if (fc->op == FOP_OPEN && ctx->ret == -2 && fc->src == SRC_USER && !(fc->flags & OPEN_WRITE_FLAGS) &&
	    miss_dir_unwanted((__u64)task, fc->fd, (__u64)fc->path))
		return;
	char *rec = get_scratch();
	if (!rec)
		return;
	struct file_event *e = (struct file_event *)rec;
	__u32 off = sizeof(*e);
	__u32 off1 = off;
	__u8 kind = 0, kind2 = 0;
	__u16 len = 0;

	/*
	 * A watched file opened by another name: its watched path, and the name used as new_path.
	 * Before the first look by top-level directory: /tmp/x may be /etc/shadow.
	 */
	struct file *opened = NULL;
	if (fc->op == FOP_OPEN && ctx->ret >= 0)
		opened = fc->file ? fc->file : current_fd_file((int)ctx->ret);
	/*
	 * A directory opened read-only through the task's root mount (tar, find, git: each directory they list)
	 * has no other name (watched_inode, unnamed_reason: regular files only), no path through another mount
	 * (via_other_mount, host_path_of) and is no /proc/PID/mem: the first look alone decides, before those.
	 */
	bool looked = opened && !(fc->flags & OPEN_WRITE_FLAGS) && dir_on_root(opened);
	if (looked && read_top_unwanted((__u64)task, (__u64)opened)) {
		__u64 *skipped = bpf_map_lookup_elem(&read_skipped, &(__u32){0});
		if (skipped)
			*skipped += 1;
		return;
	}
	__u8 alias = 0;
	__u32 unnamed = 0;
	struct inode_key unnamed_inode = {};
	/* In the record, not a local: the 32-bit exit programs have no stack to spare. */
	char *pb = get_path_buf();
	e->facts = opened && pb ? other_proc_mem(plain_addr(pb, opened)) : 0;
	if (opened) {
		len = put_identity_path(task, rec, &off, opened);
		alias = len > 0;
		kind = alias ? FILE_PATH_CANONICAL : 0;
		if (!alias)
			unnamed = unnamed_reason(task, opened, &unnamed_inode);
	} else if (fc->src == SRC_FD || fc->src == SRC_FILE) {
		/*
		 * A call on an fd (fchmod, fchown, ftruncate, futimens; a ring's ftruncate) of a host file a
		 * container reached through a bind: named by its host path as an open is, the fd's name second (a
		 * path call by name gets it in user space: PathCallResolution). The fd's file is looked up once,
		 * for both names (SRC_FILE). Known per handler at compile time: nothing for the others.
		 */
		if (fc->src == SRC_FD) {
			fc->file = current_fd_file(fc->fd);
			fc->src = SRC_FILE;
		}
		len = put_host_path(task, rec, &off, fc->file);
		alias = len > 0;
		kind = alias ? FILE_PATH_CANONICAL : 0;
	}
	if (!looked && !alias && !(e->facts & FILE_FACT_OTHER_PROC_MEM) && fc->op == FOP_OPEN && ctx->ret >= 0 &&
	    !(fc->flags & OPEN_WRITE_FLAGS) && read_top_unwanted((__u64)task, (__u64)opened)) {
		if (!unnamed) {
			__u64 *skipped = bpf_map_lookup_elem(&read_skipped, &(__u32){0});
			if (skipped)
				*skipped += 1;
			return;
		}
		unnamed |= FILE_UNNAMED_FILTERED;
	}
	/* A successful open names the file it opened (canonical) rather than what was asked. */
	if (!alias && opened)
		len = put_file_path(task, rec, &off, opened, &kind);
	if (len == 0)
		len = put_src(task, rec, &off, fc->src, fc->fd, fc->path, fc->file, &kind);
	__u32 off2 = off;
	__u16 len2 = alias && opened ? put_file_path(task, rec, &off, opened, &kind2)
		     : alias ? put_src(task, rec, &off, fc->src, fc->fd, fc->path, fc->file, &kind2)  /* an fd call's name */
			     : put_src(task, rec, &off, fc->src2, fc->fd2, fc->path2, NULL, &kind2);

	/* An unnamed open the filters would keep goes up marked so: user space drops it unless it names it. */
	bool filtered = unnamed & FILE_UNNAMED_FILTERED;
	if (!filtered && prefix_unwatched(off1, len, kind, off2, len2, kind2, ctx->ret, !unnamed)) {
		filtered = true;
	} else if (!filtered && !(e->facts & FILE_FACT_OTHER_PROC_MEM) && read_unwanted(fc, ctx->ret, rec, off1, len, kind) &&
		   /* a host file: wanted by its name in the container too (a file bound onto /etc/shadow) */
		   (!(e->facts & FILE_FACT_HOST_PATH) || read_unwanted(fc, ctx->ret, rec, off2, len2, kind2))) {
		filtered = true;
		__u64 *skipped = unnamed || ctx->ret < 0 ? NULL : bpf_map_lookup_elem(&read_skipped, &(__u32){0});
		if (skipped)
			*skipped += 1;
	} else if (!filtered && fc->op == FOP_UTIMES && !(e->facts & FILE_FACT_HOST_PATH) && times_filtered(off1, len, kind, fc->fd)) {
		filtered = true;  /* not a file named by its host path (FILE_FACT_HOST_PATH): user space names that one */
	}
	if (filtered && !unnamed)
		return;
	if (filtered)
		unnamed |= FILE_UNNAMED_FILTERED;

	fill_file_event(e, task, a->nr, fc, len, len2, kind, alias);
	e->unnamed = unnamed;
	e->dev = unnamed_inode.dev;
	e->ino = unnamed_inode.ino;
	e->text_changed = changed;
	e->h.ret = ctx->ret;
	emit_file_event(rec, off);
}

/* Defaults first, then what a call sets: the override is the point. */
#pragma clang diagnostic ignored "-Winitializer-overrides"
#define CALL(...) (&(struct file_call){ .mode = NO_VALUE, .uid = NO_VALUE, .gid = NO_VALUE, __VA_ARGS__ })
#define ARG(i) (a->args[i])
#define UPTR(i) ((const char *)a->args[i])

static __always_inline __u32 open_mode(__u32 flags, __u64 mode)
{
	/* The mode only means something when the call may create the file. */
	return (flags & (O_CREAT_VALUE | O_TMPFILE_BIT)) ? (__u32)mode : NO_VALUE;
}

/*
 * ---- calls that change what a directory's path is (path_gen) ----
 * For every task, watched or not: a pair whose enter marks the change under way and whose exit
 * ends it (then reports it, for the calls the sensor reports). changes(a) tells from the arguments
 * whether the call may move or remove a directory; enter and exit read the same registers.
 */
static __always_inline bool ALWAYS(__u64 *args) { return true; }
static __always_inline bool REMOVES_DIR(__u64 *args) { return args[2] & AT_REMOVEDIR_VALUE; }
static __always_inline int NOT_REPORTED(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) { return 0; }

#define PATH_CHANGE_EXIT_ONLY(name, changes, handler)                                 \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		__u64 args[3] = { ctx->args[0], ctx->args[1], ctx->args[2] };         \
		if (changes(args))                                                    \
			path_change_begins();                                         \
		return 0;                                                             \
	}                                                                             \
	PATH_CHANGE_EXIT(name, changes, handler)

#define PATH_CHANGE_EXIT(name, changes, handler)                                      \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                             \
		struct syscall_args a = {};                                           \
		bool have = exit_args(ctx, &a);                                       \
		if (!have || changes(a.args))                                         \
			path_change_ends();                                           \
		struct task_struct *task = (struct task_struct *)bpf_get_current_task(); \
		if (have && !skip_task(task, bpf_get_current_pid_tgid() >> 32))       \
			handler(ctx, &a);                                             \
		return 0;                                                             \
	}

/* The texts of arguments i and j (j < 0: none) of a path call at its entry (keep_entry_texts). */
#define KEEP_ENTRY_TEXTS(ctx, i, j) \
	keep_entry_texts((ctx)->id, (const char *)(ctx)->args[i], (j) >= 0 ? (const char *)(ctx)->args[(j) & 7] : NULL)

/* PATH_CHANGE_EXIT_ONLY for a path call whose texts its enter keeps too. */
#define PATH_CHANGE_CALL(name, changes, i, j, handler)                                \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		__u64 args[3] = { ctx->args[0], ctx->args[1], ctx->args[2] };         \
		if (changes(args))                                                    \
			path_change_begins();                                         \
		KEEP_ENTRY_TEXTS(ctx, i, j);                                          \
		return 0;                                                             \
	}                                                                             \
	PATH_CHANGE_EXIT(name, changes, handler)

/* An exit-only path call (SYSCALL_EXIT_ONLY) whose enter keeps its texts. */
#define PATH_CALL(name, i, j, handler)                                                \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		KEEP_ENTRY_TEXTS(ctx, i, j);                                          \
		return 0;                                                             \
	}                                                                             \
	SYSCALL_EXIT_ONLY(name, handler)

/* Mounts: an umount, a mount move (mount MS_MOVE, move_mount, pivot_root) moves every path below it. */
PATH_CHANGE_EXIT_ONLY(mount, ALWAYS, NOT_REPORTED)
PATH_CHANGE_EXIT_ONLY(umount, ALWAYS, NOT_REPORTED)
PATH_CHANGE_EXIT_ONLY(move_mount, ALWAYS, NOT_REPORTED)
PATH_CHANGE_EXIT_ONLY(pivot_root, ALWAYS, NOT_REPORTED)

/* ---- open ---- */

static __always_inline int on_open(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	__u32 flags = ARG(1);
	report(ctx, a, CALL(.op = FOP_OPEN, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .flags = flags, .mode = open_mode(flags, ARG(2))));
	return 0;
}

static __always_inline int on_openat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	__u32 flags = ARG(2);
	report(ctx, a, CALL(.op = FOP_OPEN, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .flags = flags, .mode = open_mode(flags, ARG(3))));
	return 0;
}

static __always_inline int on_openat2(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	/*
	 * The flags live in user memory; an unreadable struct leaves them 0 (the call failed too). Only
	 * open_how's flags and mode (uapi: its first two fields): the whole struct on this frame left the
	 * 32-bit chain no room under 512 bytes.
	 */
	__u64 how[2] = {};
	bpf_probe_read_user(how, sizeof(how), (void *)ARG(2));
	__u32 flags = how[0];
	report(ctx, a, CALL(.op = FOP_OPEN, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .flags = flags, .mode = open_mode(flags, how[1])));
	return 0;
}

static __always_inline int on_creat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_OPEN, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .flags = CREAT_FLAGS, .mode = (__u32)ARG(1)));
	return 0;
}

/*
 * Opens by file handle name no path at all (the "shocker" container escape brute-forces handles).
 * A success names the opened file through its fd; a failure has no path, which the prefix filter
 * never drops.
 */
static __always_inline int on_open_by_handle_at(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_OPEN, .src = SRC_NONE, .flags = (__u32)ARG(2)));
	return 0;
}

SYSCALL_EXIT_ONLY(open, on_open)
SYSCALL_EXIT_ONLY(openat, on_openat)
SYSCALL_EXIT_ONLY(openat2, on_openat2)
SYSCALL_EXIT_ONLY(creat, on_creat)
SYSCALL_EXIT_ONLY(open_by_handle_at, on_open_by_handle_at)

/* ---- unlink, rmdir: one op; AT_REMOVEDIR in flags tells a directory ---- */

static __always_inline int on_unlink(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_UNLINK, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0)));
	return 0;
}

static __always_inline int on_unlinkat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_UNLINK, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .flags = (__u32)ARG(2)));
	return 0;
}

static __always_inline int on_rmdir(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_UNLINK, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .flags = AT_REMOVEDIR_VALUE));
	return 0;
}

PATH_CALL(unlink, 0, -1, on_unlink)
PATH_CHANGE_CALL(unlinkat, REMOVES_DIR, 1, -1, on_unlinkat)
PATH_CHANGE_CALL(rmdir, ALWAYS, 0, -1, on_rmdir)

/* ---- rename, link: two paths ---- */

static __always_inline int on_rename(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_RENAME, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .src2 = SRC_USER, .fd2 = AT_FDCWD_VALUE, .path2 = UPTR(1)));
	return 0;
}

static __always_inline int on_renameat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_RENAME, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .src2 = SRC_USER, .fd2 = (int)ARG(2), .path2 = UPTR(3)));
	return 0;
}

static __always_inline int on_renameat2(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_RENAME, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .src2 = SRC_USER, .fd2 = (int)ARG(2), .path2 = UPTR(3), .flags = (__u32)ARG(4)));
	return 0;
}

static __always_inline int on_link(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_LINK, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .src2 = SRC_USER, .fd2 = AT_FDCWD_VALUE, .path2 = UPTR(1)));
	return 0;
}

static __always_inline int on_linkat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_LINK, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .src2 = SRC_USER, .fd2 = (int)ARG(2), .path2 = UPTR(3), .flags = (__u32)ARG(4)));
	return 0;
}

PATH_CHANGE_CALL(rename, ALWAYS, 0, 1, on_rename)
PATH_CHANGE_CALL(renameat, ALWAYS, 1, 3, on_renameat)
PATH_CHANGE_CALL(renameat2, ALWAYS, 1, 3, on_renameat2)
PATH_CALL(link, 0, 1, on_link)
PATH_CALL(linkat, 1, 3, on_linkat)

/* ---- symlink: the target is text, resolved only when the link is followed ---- */

static __always_inline int on_symlink(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_SYMLINK, .src = SRC_RAW, .path = UPTR(0),
			    .src2 = SRC_USER, .fd2 = AT_FDCWD_VALUE, .path2 = UPTR(1)));
	return 0;
}

static __always_inline int on_symlinkat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_SYMLINK, .src = SRC_RAW, .path = UPTR(0),
			    .src2 = SRC_USER, .fd2 = (int)ARG(1), .path2 = UPTR(2)));
	return 0;
}

PATH_CALL(symlink, 0, 1, on_symlink)
PATH_CALL(symlinkat, 0, 2, on_symlinkat)

/* ---- truncate ---- */

static __always_inline int on_truncate(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_TRUNCATE, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0)));
	return 0;
}

static __always_inline int on_ftruncate(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_TRUNCATE, .src = SRC_FD, .fd = (int)ARG(0)));
	return 0;
}

PATH_CALL(truncate, 0, -1, on_truncate)
SYSCALL_EXIT_ONLY(ftruncate, on_ftruncate)

/* ---- chmod ---- */

static __always_inline int on_chmod(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHMOD, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .mode = (__u32)ARG(1)));
	return 0;
}

static __always_inline int on_fchmodat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHMOD, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .mode = (__u32)ARG(2)));
	return 0;
}

static __always_inline int on_fchmodat2(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHMOD, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .mode = (__u32)ARG(2), .flags = (__u32)ARG(3)));
	return 0;
}

static __always_inline int on_fchmod(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHMOD, .src = SRC_FD, .fd = (int)ARG(0), .mode = (__u32)ARG(1)));
	return 0;
}

PATH_CALL(chmod, 0, -1, on_chmod)
PATH_CALL(fchmodat, 1, -1, on_fchmodat)
PATH_CALL(fchmodat2, 1, -1, on_fchmodat2)
SYSCALL_EXIT_ONLY(fchmod, on_fchmod)

/* ---- chown ---- */

static __always_inline int on_chown(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHOWN, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .uid = (__u32)ARG(1), .gid = (__u32)ARG(2)));
	return 0;
}

static __always_inline int on_fchownat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHOWN, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .uid = (__u32)ARG(2), .gid = (__u32)ARG(3), .flags = (__u32)ARG(4)));
	return 0;
}

static __always_inline int on_fchown(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_CHOWN, .src = SRC_FD, .fd = (int)ARG(0),
			    .uid = (__u32)ARG(1), .gid = (__u32)ARG(2)));
	return 0;
}

PATH_CALL(chown, 0, -1, on_chown)
PATH_CALL(lchown, 0, -1, on_chown)
PATH_CALL(fchownat, 1, -1, on_fchownat)
SYSCALL_EXIT_ONLY(fchown, on_fchown)

/* ---- mkdir ---- */

static __always_inline int on_mkdir(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_MKDIR, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0),
			    .mode = (__u32)ARG(1)));
	return 0;
}

static __always_inline int on_mkdirat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	report(ctx, a, CALL(.op = FOP_MKDIR, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
			    .mode = (__u32)ARG(2)));
	return 0;
}

PATH_CALL(mkdir, 0, -1, on_mkdir)
PATH_CALL(mkdirat, 1, -1, on_mkdirat)

/*
 * ---- utimensat, utimes, futimesat, utime: times set back (T1070.006) ----
 * Every tar x and cp -p sets times: only explicit ones go up (not NULL times, which mean now, nor
 * UTIME_NOW or UTIME_OMIT for both), and the path prefixes apply as to any path call. Not the read
 * prefixes: they are what the rules need of reads (FileReadAnalysis knows no other op). The times are read at exit, into the record itself (no stack: the 32-bit chain's
 * is near its limit); a caller that rewrites them during the call is not caught.
 */
#define UTIME_NOW_ ((1L << 30) - 1)
#define UTIME_OMIT_ ((1L << 30) - 2)
enum times_form { TIMES_TIMESPEC, TIMES_TIMEVAL, TIMES_UTIMBUF, TIMES_32 = 4 };

static __always_inline bool time_set(__s64 nsec)
{
	return nsec != UTIME_NOW_ && nsec != UTIME_OMIT_;
}

/*
 * The caller's times into the scratch record report_with fills next; whether one of them is explicit.
 * TIMES_32: a 32-bit caller's (old_timespec32, old_timeval32, old_utimbuf32: 32-bit fields), read
 * into the record's last 16 bytes and spread from there.
 */
static __always_inline bool explicit_times(__u64 uptr, int form)
{
	struct file_event *e = (struct file_event *)get_scratch();
	if (!e || !uptr)
		return false;
	if (form & TIMES_32) {
		__s32 *v = (__s32 *)&e->mtime_sec;
		if (bpf_probe_read_user(v, (form & 3) == TIMES_UTIMBUF ? 8 : 16, (void *)uptr))
			return false;
		__s64 a0 = v[0], a1 = v[1], m0 = v[2], m1 = v[3];
		if ((form & 3) == TIMES_UTIMBUF) {
			m0 = a1;
			a1 = 0;
			m1 = 0;
		}
		e->atime_sec = a0;
		e->atime_nsec = a1;
		e->mtime_sec = m0;
		e->mtime_nsec = m1;
	} else if (form == TIMES_UTIMBUF) {
		e->atime_nsec = 0;
		e->mtime_nsec = 0;
		return !bpf_probe_read_user(&e->atime_sec, 8, (void *)uptr) &&
		       !bpf_probe_read_user(&e->mtime_sec, 8, (void *)(uptr + 8));
	} else if (bpf_probe_read_user(&e->atime_sec, 32, (void *)uptr)) {  /* timespec[2], timeval[2]: sec, nsec or usec */
		return false;
	}
	if ((form & 3) == TIMES_TIMEVAL) {
		e->atime_nsec *= 1000;
		e->mtime_nsec *= 1000;
		return true;
	}
	return (form & 3) == TIMES_UTIMBUF || time_set(e->atime_nsec) || time_set(e->mtime_nsec);
}

static __always_inline int utimensat_as(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int form)
{
	if (!explicit_times(ARG(2), form))
		return 0;
	/* A NULL path is futimens(fd): what touch -d does on the file it opened (its enter kept no text). */
	if (UPTR(1) == NULL)
		report(ctx, a, CALL(.op = FOP_UTIMES, .src = SRC_FD, .fd = (int)ARG(0), .flags = (__u32)ARG(3)));
	else
		report(ctx, a, CALL(.op = FOP_UTIMES, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1),
				    .flags = (__u32)ARG(3)));
	return 0;
}

static __always_inline int futimesat_as(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int form)
{
	if (explicit_times(ARG(2), form))
		report(ctx, a, CALL(.op = FOP_UTIMES, .src = SRC_USER, .fd = (int)ARG(0), .path = UPTR(1)));
	return 0;
}

/* utimes and utime: a path and its times */
static __always_inline int utimes_as(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a, int form)
{
	if (explicit_times(ARG(1), form))
		report(ctx, a, CALL(.op = FOP_UTIMES, .src = SRC_USER, .fd = AT_FDCWD_VALUE, .path = UPTR(0)));
	return 0;
}

#define TIMES_HANDLER(name, as, form)                                                 \
	static __always_inline int name(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) \
	{                                                                             \
		return as(ctx, a, form);                                              \
	}
TIMES_HANDLER(on_utimensat, utimensat_as, TIMES_TIMESPEC)
TIMES_HANDLER(on_futimesat, futimesat_as, TIMES_TIMEVAL)
TIMES_HANDLER(on_utimes, utimes_as, TIMES_TIMEVAL)
TIMES_HANDLER(on_utime, utimes_as, TIMES_UTIMBUF)

/*
 * 32-bit utimensat comes in two forms: 320 with old_timespec32, and utimensat_time64 (412) with the
 * native timespec. One row of FILE_COMPAT_CALLS maps them to native 280 (two would make two handlers
 * of one native number): ADJUST folds 412 into 320 before the lookup, and marks the form in the 6th
 * argument slot, which utimensat does not use.
 */
#define IA32_UTIMENSAT 320
#define IA32_UTIMENSAT_TIME64 412
static __always_inline void fold_utimensat_time64(struct syscall_args *a)
{
	if (a->nr == IA32_UTIMENSAT || a->nr == IA32_UTIMENSAT_TIME64) {
		a->args[5] = a->nr == IA32_UTIMENSAT_TIME64;
		a->nr = IA32_UTIMENSAT;
	}
}

/*
 * The four 32-bit calls (native numbers here) in one subprogram: one copy of report for them in the
 * 32-bit chain rather than four more inlined into compat_exit, the longest program the verifier reads.
 */
static __noinline int on_times32(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a)
{
	switch (a->nr) {
	case 280:
		return utimensat_as(ctx, a, a->args[5] ? TIMES_TIMESPEC : TIMES_32 | TIMES_TIMESPEC);
	case 261:
		return futimesat_as(ctx, a, TIMES_32 | TIMES_TIMEVAL);
	case 235:
		return utimes_as(ctx, a, TIMES_32 | TIMES_TIMEVAL);
	default:
		return utimes_as(ctx, a, TIMES_32 | TIMES_UTIMBUF);
	}
}

/*
 * PATH_CALL whose enter keeps the path text only when the call may be reported: NULL times (touch,
 * tar's "now") and no path (futimens: named by its fd) need none.
 */
#define TIMES_CALL(name, i, t, handler)                                               \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                   \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                             \
		if (ctx->args[t] && ctx->args[i])                                     \
			KEEP_ENTRY_TEXTS(ctx, i, -1);                                 \
		return 0;                                                             \
	}                                                                             \
	SYSCALL_EXIT_ONLY(name, handler)

TIMES_CALL(utimensat, 1, 2, on_utimensat)
TIMES_CALL(futimesat, 1, 2, on_futimesat)
TIMES_CALL(utimes, 0, 1, on_utimes)
TIMES_CALL(utime, 0, 1, on_utime)

/* ---- 32-bit calls (syscall.bpf.h: COMPAT_PROGRAMS): X(ia32 nr, x86_64 nr, on_enter, handler) ---- */

/*
 * A 32-bit rename or directory removal voids the read filter's memo (path_gen) at its exit. Only
 * for the tasks the sensor watches (the dispatcher's path filters first) and without the "under
 * way" mark: README, Limits.
 */
#define COMPAT_PATH_CHANGE(handler)                                                   \
	static __always_inline int handler##_compat(struct trace_event_raw_sys_exit *ctx, struct syscall_args *a) \
	{                                                                             \
		path_change_noted();                                                  \
		return handler(ctx, a);                                               \
	}
COMPAT_PATH_CHANGE(on_rmdir)
COMPAT_PATH_CHANGE(on_unlinkat)
COMPAT_PATH_CHANGE(on_rename)
COMPAT_PATH_CHANGE(on_renameat)
COMPAT_PATH_CHANGE(on_renameat2)

#define FILE_COMPAT_CALLS(X)                                                          \
	X(5, 2, NO_ENTER, on_open) X(295, 257, NO_ENTER, on_openat)                   \
	X(437, 437, NO_ENTER, on_openat2) X(8, 85, NO_ENTER, on_creat)                \
	X(342, 304, NO_ENTER, on_open_by_handle_at)                                   \
	X(10, 87, keep_texts_0, on_unlink) X(301, 263, keep_texts_1, on_unlinkat_compat)      \
	X(40, 84, keep_texts_0, on_rmdir_compat)                                          \
	X(38, 82, keep_texts_0_1, on_rename_compat) X(302, 264, keep_texts_1_3, on_renameat_compat) \
	X(353, 316, keep_texts_1_3, on_renameat2_compat)                                    \
	X(9, 86, keep_texts_0_1, on_link) X(303, 265, keep_texts_1_3, on_linkat)                  \
	X(83, 88, keep_texts_0_1, on_symlink) X(304, 266, keep_texts_0_2, on_symlinkat)           \
	X(92, 76, keep_texts_0, on_truncate) X(93, 77, NO_ENTER, on_ftruncate)            \
	X(15, 90, keep_texts_0, on_chmod) X(306, 268, keep_texts_1, on_fchmodat)              \
	X(452, 452, keep_texts_1, on_fchmodat2) X(94, 91, NO_ENTER, on_fchmod)            \
	X(212, 92, keep_texts_0, on_chown) X(198, 94, keep_texts_0, on_chown)                 \
	X(298, 260, keep_texts_1, on_fchownat) X(207, 93, NO_ENTER, on_fchown)            \
	X(39, 83, keep_texts_0, on_mkdir) X(296, 258, keep_texts_1, on_mkdirat)          \
	X(IA32_UTIMENSAT, 280, keep_texts_1, on_times32) X(299, 261, keep_texts_1, on_times32)        \
	X(271, 235, keep_texts_0, on_times32) X(30, 132, keep_texts_0, on_times32)

COMPAT_PROGRAMS(FILE_COMPAT_CALLS, fold_utimensat_time64, COMPAT_SLOT_FILE)

/*
 * ---- io_uring ----
 * A request submitted through a ring runs in the kernel without a system call of its own (with
 * SQPOLL, without any call at all): the per-syscall tracepoints never see it. Everything here runs
 * in a thread of the submitting process (the submitter itself, its SQPOLL thread or an io-wq
 * worker), which shares its file table, cwd and root.
 *
 * An open is reported from its completion, where the new fd names the opened file as a successful
 * open's does; an open into a fixed-file slot (no fd) is named by the file the slot holds then. A
 * failed open is named by the caller's text (its kernel copy is freed by then: ring_open_names).
 * An ftruncate is reported from its completion, named by the request's own file.
 */
#define IORING_OP_OPENAT_ 18
#define IORING_OP_OPENAT2_ 28
#define IORING_OP_RENAMEAT_ 35
#define IORING_OP_UNLINKAT_ 36
#define IORING_OP_MKDIRAT_ 37
#define IORING_OP_SYMLINKAT_ 38
#define IORING_OP_LINKAT_ 39
#define IORING_OP_FTRUNCATE_ 55
/* req->flags mirrors the sqe's IOSQE_* bits; IOSQE_CQE_SKIP_SUCCESS (REQ_F_CQE_SKIP): no completion on success. */
#define REQ_F_CQE_SKIP_ (1ULL << 6)
#define REQ_F_FIXED_FILE_ (1ULL << 0)

/*
 * Rename, unlink, mkdir, symlink and link through a ring. Their prep copies the names into the
 * kernel (getname) and always hands the request to an io-wq worker (REQ_F_FORCE_ASYNC), and the
 * call frees the names before the completion. So the record is built when the request is queued for
 * the worker (tp_btf/io_uring_queue_async_work: it fires for punted requests only, never for the
 * requests a ring completes inline), from the kernel's own copy (no user memory a racing thread
 * could change), and parked here under the request's address until its completion gives the
 * result. A request that asked for no completion on success (IOSQE_CQE_SKIP_SUCCESS) is reported
 * when queued, as a success; so is one whose record does not fit a parking place (paths of more
 * than ~3.9 KiB together) or that finds all of them taken: reported rather than lost. The places
 * are preallocated (1 MiB): allocating and freeing one per request cost ~25% more.
 */
#define PARKED_MAX 4096

struct parked_call { char rec[PARKED_MAX]; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct parked_call);
} ring_calls SEC(".maps");

/* A ring rename, or a ring unlink of a directory: path_gen's changes (from any task). */
static __always_inline bool ring_changes_paths(struct io_kiocb *req, __u8 opcode)
{
	struct io_unlink *un = (void *)&req->cmd;
	return opcode == IORING_OP_RENAMEAT_ ||
	       (opcode == IORING_OP_UNLINKAT_ && (BPF_CORE_READ(un, flags) & AT_REMOVEDIR_VALUE));
}

/* The prefix filter, then delivery, of a record parked with ring_call_queued. */
static __always_inline void ring_call_done(char *rec, long ret)
{
	struct file_event *e = (struct file_event *)rec;
	__u32 off1 = sizeof(*e);
	__u16 len = e->path_len & (2 * PATH_LEN - 1);
	__u32 off2 = off1 + len;
	e->h.ret = ret;
	if (prefix_unwatched(off1, len, e->path_kind, off2, e->new_path_len, FILE_PATH_LEXICAL, ret, true))
		return;
	emit_file_event(rec, e->h.size);
}

static __always_inline void ring_call_queued(struct task_struct *task, struct io_kiocb *req, struct file_call *fc)
{
	char *rec = get_scratch();
	if (!rec)
		return;
	struct file_event *e = (struct file_event *)rec;
	__u32 off = sizeof(*e);
	__u8 kind = 0, kind2 = 0;
	__u16 len = put_src(task, rec, &off, fc->src, fc->fd, fc->path, fc->file, &kind);
	__u16 len2 = put_src(task, rec, &off, fc->src2, fc->fd2, fc->path2, NULL, &kind2);
	fill_file_event(e, task, NR_IO_URING_ENTER, fc, len, len2, kind, 0);
	e->facts = 0;
	e->h.size = off & (SCRATCH_SIZE - 1);
	if ((BPF_CORE_READ(req, flags) & REQ_F_CQE_SKIP_) || off >= PARKED_MAX) {
		ring_call_done(rec, 0);
		return;
	}
	__u64 key = (__u64)req;
	if (bpf_map_update_elem(&ring_calls, &key, rec, BPF_ANY) != 0)
		ring_call_done(rec, 0);  /* every place taken: reported now rather than lost */
}

SEC("tp_btf/io_uring_queue_async_work")
int BPF_PROG(io_uring_file_queued, struct io_kiocb *req, int rw)
{
	__u8 opcode = BPF_CORE_READ(req, opcode);
	if (opcode < IORING_OP_RENAMEAT_ || opcode > IORING_OP_LINKAT_)
		return 0;
	if (ring_changes_paths(req, opcode)) {
		/* No completion to end it for a success that asked for none: only the generation moves. */
		if (BPF_CORE_READ(req, flags) & REQ_F_CQE_SKIP_)
			path_change_noted();
		else
			path_change_begins();
	}
	struct task_struct *task = bpf_get_current_task_btf();
	if (skip_task(task, bpf_get_current_pid_tgid() >> 32))
		return 0;
	void *cmd = &req->cmd;
	struct io_rename *ren = cmd;
	struct io_unlink *un = cmd;
	struct io_mkdir *mk = cmd;
	struct io_link *ln = cmd;  /* symlinkat too: oldpath is the link's text, new_dfd/newpath the link */
	switch (opcode) {
	case IORING_OP_RENAMEAT_:
		ring_call_queued(task, req, CALL(.op = FOP_RENAME, .src = SRC_KERNEL, .fd = BPF_CORE_READ(ren, old_dfd),
						 .path = BPF_CORE_READ(ren, oldpath, name), .src2 = SRC_KERNEL,
						 .fd2 = BPF_CORE_READ(ren, new_dfd), .path2 = BPF_CORE_READ(ren, newpath, name),
						 .flags = BPF_CORE_READ(ren, flags)));
		break;
	case IORING_OP_UNLINKAT_:
		ring_call_queued(task, req, CALL(.op = FOP_UNLINK, .src = SRC_KERNEL, .fd = BPF_CORE_READ(un, dfd),
						 .path = BPF_CORE_READ(un, filename, name), .flags = BPF_CORE_READ(un, flags)));
		break;
	case IORING_OP_MKDIRAT_:
		ring_call_queued(task, req, CALL(.op = FOP_MKDIR, .src = SRC_KERNEL, .fd = BPF_CORE_READ(mk, dfd),
						 .path = BPF_CORE_READ(mk, filename, name), .mode = BPF_CORE_READ(mk, mode)));
		break;
	case IORING_OP_SYMLINKAT_:
		ring_call_queued(task, req, CALL(.op = FOP_SYMLINK, .src = SRC_KERNEL_RAW,
						 .path = BPF_CORE_READ(ln, oldpath, name), .src2 = SRC_KERNEL,
						 .fd2 = BPF_CORE_READ(ln, new_dfd), .path2 = BPF_CORE_READ(ln, newpath, name)));
		break;
	default:
		ring_call_queued(task, req, CALL(.op = FOP_LINK, .src = SRC_KERNEL, .fd = BPF_CORE_READ(ln, old_dfd),
						 .path = BPF_CORE_READ(ln, oldpath, name), .src2 = SRC_KERNEL,
						 .fd2 = BPF_CORE_READ(ln, new_dfd), .path2 = BPF_CORE_READ(ln, newpath, name),
						 .flags = BPF_CORE_READ(ln, flags)));
		break;
	}
	return 0;
}

/* The arguments of a ring open, or NULL when req is no open or the current task is not watched. */
static __always_inline struct io_open *watched_ring_open(struct io_kiocb *req, __u8 opcode)
{
	if (opcode != IORING_OP_OPENAT_ && opcode != IORING_OP_OPENAT2_)
		return NULL;
	if (skip_task(bpf_get_current_task_btf(), bpf_get_current_pid_tgid() >> 32))
		return NULL;
	return (struct io_open *)&req->cmd;
}

/*
 * A ring open's name as the caller passed it (the user pointer the kernel copied it from, and its
 * dirfd), from its submission to its completion, for a failed open: the kernel frees its own copy
 * before the completion, and a failure names no file. Read at the completion from user memory, as a
 * failed direct open's is read at its exit: a racing thread could change it meanwhile.
 */
struct ring_open_name {
	const char *uptr;
	__s32 dfd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct ring_open_name);
} ring_open_names SEC(".maps");

/* The file a request names: its fd's, or its registered (fixed) file's. */
static __always_inline struct file *ring_req_file(struct task_struct *task, struct io_kiocb *req, __u64 flags)
{
	int fd = BPF_CORE_READ(req, cqe.fd);
	return (flags & REQ_F_FIXED_FILE_) ? ring_slot_file(req, (__u32)fd + 1, 0) : fd_file(task, fd);
}

/*
 * At submission (tp_btf/io_uring_submit_req, after the request's prep copied the name into the
 * kernel), for opens and ftruncates: never attached itself, like io_uring_open_done, it is
 * tail-called by the shared dispatcher (uring_dispatch.bpf.c) for the opcodes of uring_routes.h;
 * its own opcode tests stay, so a wider route costs a compare, not a wrong record.
 *  - An open keeps its caller's name for a failure (ring_open_names).
 *  - An open or ftruncate that asked for no completion on success (IOSQE_CQE_SKIP_SUCCESS) and
 *    succeeds inline fires no tracepoint after its submission: io_uring_open_done never sees it. It
 *    is reported here, by the name asked for (an ftruncate: by the file its fd names now) and as a
 *    success: its result is not known yet. If it fails, the kernel posts its completion after all
 *    and io_uring_open_done reports it again, with the error.
 */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_file_submitted, struct io_kiocb *req)
{
	__u64 flags = req->flags;
	__u8 opcode = req->opcode;
	bool skip = flags & REQ_F_CQE_SKIP_;
	if (opcode == IORING_OP_FTRUNCATE_) {
		struct task_struct *task = bpf_get_current_task_btf();
		if (skip && !skip_task(task, bpf_get_current_pid_tgid() >> 32)) {
			struct trace_event_raw_sys_exit x = {};
			struct syscall_args a = { .nr = NR_IO_URING_ENTER };
			report(&x, &a, CALL(.op = FOP_TRUNCATE, .src = SRC_FILE, .file = ring_req_file(task, req, flags)));
		}
		return 0;
	}
	struct io_open *o = watched_ring_open(req, opcode);
	if (!o)
		return 0;
	struct filename *name = BPF_CORE_READ(o, filename);
	struct ring_open_name n = { .uptr = BPF_CORE_READ(name, uptr), .dfd = BPF_CORE_READ(o, dfd) };
	__u64 key = (__u64)req;
	bpf_map_update_elem(&ring_open_names, &key, &n, BPF_ANY);
	if (!skip)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 oflags = BPF_CORE_READ(o, how.flags);
	char *rec = get_scratch();
	if (!rec)
		return 0;
	struct file_event *e = (struct file_event *)rec;
	__u32 off = sizeof(*e);
	__u8 kind = 0;
	struct file_call *fc = CALL(.op = FOP_OPEN, .src = SRC_KERNEL, .fd = n.dfd, .path = BPF_CORE_READ(name, name),
				    .flags = oflags, .mode = open_mode(oflags, BPF_CORE_READ(o, how.mode)));
	__u16 len = put_src(task, rec, &off, fc->src, fc->fd, fc->path, NULL, &kind);
	fill_file_event(e, task, NR_IO_URING_ENTER, fc, len, 0, kind, 0);
	e->facts = 0;
	e->h.size = off & (SCRATCH_SIZE - 1);
	ring_call_done(rec, 0);
	return 0;
}

/* The completion of a call parked by io_uring_file_queued: its result, then the record. */
static __always_inline void ring_call_completed(struct io_kiocb *req, long res)
{
	__u64 key = (__u64)req;
	char *parked = bpf_map_lookup_elem(&ring_calls, &key);
	if (!parked)
		return;
	char *rec = get_scratch();
	if (rec)
		bpf_probe_read_kernel(rec, ((struct event_header *)parked)->size & (PARKED_MAX - 1), parked);
	bpf_map_delete_elem(&ring_calls, &key);
	if (rec)
		ring_call_done(rec, res);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_open_done, struct io_ring_ctx *ring, void *request, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = request;
	__u8 opcode = BPF_CORE_READ(req, opcode);
	if (opcode >= IORING_OP_RENAMEAT_ && opcode <= IORING_OP_LINKAT_) {
		if (ring_changes_paths(req, opcode))
			path_change_ends();
		ring_call_completed(req, BPF_CORE_READ(cqe, res));
		return 0;
	}
	/* An ftruncate's own file, held by the request until after its completion: exact, also for a fixed file. */
	bool trunc = opcode == IORING_OP_FTRUNCATE_;
	struct io_open *o = trunc ? NULL : watched_ring_open(req, opcode);
	if (!o && !(trunc && !skip_task(bpf_get_current_task_btf(), bpf_get_current_pid_tgid() >> 32)))
		return 0;
	struct syscall_args a = {};
	a.nr = NR_IO_URING_ENTER;
	struct trace_event_raw_sys_exit x = {};
	x.ret = BPF_CORE_READ(cqe, res);
	if (trunc) {
		report(&x, &a, CALL(.op = FOP_TRUNCATE, .src = SRC_FILE, .file = BPF_CORE_READ(req, file)));
		return 0;
	}
	__u64 key = (__u64)req;
	struct ring_open_name *n = bpf_map_lookup_elem(&ring_open_names, &key);
	struct ring_open_name asked = {};
	if (n) {
		asked = *n;
		bpf_map_delete_elem(&ring_open_names, &key);
	}
	__u32 flags = BPF_CORE_READ(o, how.flags);
	struct file *slot_file = ring_slot_file(req, BPF_CORE_READ(o, file_slot), x.ret);
	/* A success names the file it opened; a failure the name asked for, when it was seen submitted. */
	report(&x, &a, CALL(.op = FOP_OPEN, .src = x.ret < 0 && asked.uptr ? SRC_USER : SRC_NONE, .fd = asked.dfd,
			    .path = asked.uptr, .flags = flags, .file = slot_file,
			    .mode = open_mode(flags, BPF_CORE_READ(o, how.mode))));
	return 0;
}
