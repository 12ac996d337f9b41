/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * ---- a call's path text read at entry and again at exit (TOCTOU) ----
 * A path in user memory is read by the kernel once, somewhere inside the call; a program can read it
 * only at the call's entry and its exit. A call that waits in the kernel (a second path or a value
 * in a userfaultfd page, a directory lock another thread holds) gives the caller all the time it
 * wants to rewrite the buffer between the two. So the texts are read at entry (for a watched
 * thread) and again at exit: the record carries the one the kernel used (the sensor says which it
 * copies: before or after the call can wait), and says when the two differed (text_changed), which
 * no benign program does. A text that cannot be read at entry (a page never touched: a probe read
 * cannot fault) is read at exit, after the kernel's own copy faulted it in.
 *
 * One slot per thread in task-local storage (made at the thread's first watched call, written in
 * place by its next ones, freed with the thread), live between an entry and its exit. Not a hash
 * keyed by thread id: there, more threads making such calls than it held pushed a waiting call's
 * slot out (an LRU), and its event carried the rewritten text, unflagged. A slot that could not be
 * made (no memory, or the storage busy on this CPU) leaves the exit's text, and the exit counts it
 * (drops, reason evicted: the entry's state is lost). Each sensor object that includes this has its
 * own map (file.bpf.c: the path calls; priv.bpf.c: the xattr calls).
 * The slot holds texts shorter than ENTRY_TEXT_SHORT (most paths); a longer one goes into a second
 * slot of the thread (long_entry_texts, made at its first long text). A slot of both texts at PATH_LEN
 * (8.3 KB) was past what the kernel's BPF allocator keeps in per-CPU caches: a thread's first path call
 * paid ~10 us to make it (both unlinks of a gcc run: as's and the driver's, issue 15); 2 x 1024 bytes
 * ~4 us; this size (the 1 KB cache) ~1.3 us.
 */
#ifndef EUNOMIA_ENTRY_TEXTS_BPF_H
#define EUNOMIA_ENTRY_TEXTS_BPF_H

#include "path.bpf.h"

/* A short text (a mount's type, an fsconfig key) fits in this, NUL included; a longer one is cut. */
#define SHORT_TEXT_LEN 64
/*
 * entry_texts.early: bit n for the text at the call's argument n (not by slot: mount(dir, dir, ...)
 * has one pointer for two arguments the kernel copies at different times), SHORT_TEXT_EARLY for the
 * short text
 */
#define SHORT_TEXT_EARLY (1 << 6)

/* Texts shorter than this, NUL included, are kept in the thread's slot; any other in its long slot. */
#define ENTRY_TEXT_SHORT 384

struct entry_texts {
	__u64 uptr[2];         /* the user pointers read: the exit uses a text only for the same pointer */
	__s64 nr;
	__u16 len[2];          /* bytes read, NUL included; 0: unreadable at entry */
	__u32 live;
	char text[2][ENTRY_TEXT_SHORT];
	/*
	 * Texts the kernel copies before anything in the call can wait, which the call's on_enter judged
	 * from its copy order and what read whole at entry: their entry's text is the kernel's (the
	 * sensor's own choice applies to the others). 0 unless an on_enter sets it after keep_entry_texts.
	 */
	__u32 early;
	__u16 short_len;       /* as len, of the third, short text (keep_short_text: priv.bpf.c) */
	__u16 long_texts;      /* bit i: text i is in the thread's long slot (long_entry_texts), not in text[i] */
	__u64 short_uptr;
	char short_text[SHORT_TEXT_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry_texts);
} entry_texts SEC(".maps");

struct long_texts { char text[2][PATH_LEN]; };

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct long_texts);
} long_entry_texts SEC(".maps");

/*
 * Text i at uptr into t (its bytes read, NUL included; 0: unreadable). One that fills text[i] may be cut:
 * it is read whole into the long slot. Without a long slot (no memory) it is left to the exit, counted
 * as a slot that could not be made is.
 */
static __always_inline __u16 read_entry_text(struct entry_texts *t, int i, const char *uptr)
{
	long n = uptr ? bpf_probe_read_user_str(t->text[i & 1], ENTRY_TEXT_SHORT, uptr) : 0;
	if (n < ENTRY_TEXT_SHORT)
		return n > 0 ? (__u16)n : 0;
	struct long_texts *l = bpf_task_storage_get(&long_entry_texts, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!l) {
		count_drop(DROP_EVICTED);
		return 0;
	}
	n = bpf_probe_read_user_str(l->text[i & 1], PATH_LEN, uptr);
	if (n <= 0)
		return 0;
	t->long_texts |= 1 << i;
	return (__u16)n;
}

/* Text i kept at entry (t->len[i] bytes), wherever read_entry_text put it; NULL when its long slot is gone. */
static __always_inline const char *kept_text(struct entry_texts *t, int i)
{
	if (!(t->long_texts & (1 << i)))
		return t->text[i & 1];
	struct long_texts *l = bpf_task_storage_get(&long_entry_texts, bpf_get_current_task_btf(), 0, 0);
	if (!l)
		return NULL;
	barrier_var(l);  /* clang moved the text's offset onto the pointer before its NULL check: the verifier refused it */
	return l->text[i & 1];
}

/* At a call's entry, for a watched thread: its (one or two) texts into its slot, returned (NULL: none). */
static __always_inline struct entry_texts *keep_entry_texts(__s64 nr, const char *p0, const char *p1)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (skip_task((struct task_struct *)bpf_get_current_task(), id >> 32))
		return NULL;
	struct entry_texts *t = bpf_task_storage_get(&entry_texts, bpf_get_current_task_btf(), 0,
						     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return NULL;  /* no slot: the exit uses its own text and counts it */
	t->nr = nr;
	t->uptr[0] = (__u64)p0;
	t->uptr[1] = (__u64)p1;
	t->long_texts = 0;
	t->len[0] = read_entry_text(t, 0, p0);
	t->len[1] = read_entry_text(t, 1, p1);
	t->early = 0;
	t->short_uptr = 0;
	t->live = 1;
	return t;
}

/* A short third text of a call into the slot keep_entry_texts just filled. */
static __always_inline void keep_short_text(struct entry_texts *t, const char *uptr)
{
	__builtin_memset(t->short_text, 0, SHORT_TEXT_LEN);  /* compared word by word at exit */
	long n = uptr ? bpf_probe_read_user_str(t->short_text, SHORT_TEXT_LEN, uptr) : 0;
	t->short_len = n > 0 ? n : 0;
	t->short_uptr = (__u64)uptr;
}

/*
 * Whether the short text read at entry is the whole string. A cut one may go on into a page that can
 * wait, and the kernel measures the whole string before it copies it from its start (strndup_user),
 * so its head may change before the copy: never early.
 */
static __always_inline bool short_text_whole(struct entry_texts *t)
{
	return t->short_len > 0 && t->short_len < SHORT_TEXT_LEN;
}

/*
 * KEEP_TEXTS_FN(i, j, suffix) defines keep_texts_suffix(ctx, a), an on_enter (syscall.bpf.h; also of
 * 32-bit calls, ctx NULL) keeping the texts at arguments i and j (j < 0: none) of a call's kept arguments.
 */
#define KEEP_TEXTS_FN(i, j, suffix)                                                           \
	static __always_inline void keep_texts_##suffix(struct trace_event_raw_sys_enter *ctx, struct syscall_args *a) \
	{                                                                                     \
		keep_entry_texts(a->nr, (const char *)a->args[i], (j) >= 0 ? (const char *)a->args[(j) & 7] : NULL); \
	}

/*
 * At the exit of call nr, for a thread whose entry kept its texts: its slot, ended; NULL (counted)
 * when the entry could not make one.
 */
static __always_inline struct entry_texts *end_entry_texts(__s64 nr)
{
	struct entry_texts *t = bpf_task_storage_get(&entry_texts, bpf_get_current_task_btf(), 0, 0);
	if (t && (!t->live || t->nr != nr))
		t = NULL;
	if (!t) {
		count_drop(DROP_EVICTED);
		return NULL;
	}
	t->live = 0;  /* this thread's next call writes it again before any exit reads it */
	return t;
}

/* A call's texts as the exit takes them: the entry's or the exit's (take_text). */
struct call_texts { char text[2][PATH_LEN]; };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct call_texts);
} call_texts SEC(".maps");

struct text_cmp {
	__u32 len;
	__u32 differ;
};

/* One word of the two texts get_path_buf holds (exit's at 0, entry's at PATH_LEN). */
static long text_word_step(__u32 i, void *data)
{
	struct text_cmp *c = data;
	char *buf = get_path_buf();
	if (!buf)
		return 1;
	__u32 o = (i * 8) & (PATH_LEN - 8);
	__u64 x = *(__u64 *)(buf + o) ^ *(__u64 *)(buf + PATH_LEN + o);
	__u32 left = c->len - i * 8;
	if (left < 8)
		x &= (1ULL << ((left & 7) * 8)) - 1;  /* bytes past the NUL are whatever the buffer held */
	if (x) {
		c->differ = 1;
		return 1;
	}
	return 0;
}

/*
 * Whether the caller's buffer holds another text now than the len bytes kept at entry; the exit's
 * text is left at the start of get_path_buf, its length (<= 0: unreadable) in *exit_len.
 */
static __always_inline bool exit_text_differs(const char *kept, __u16 len, const char *uptr, long *exit_len)
{
	char *buf = get_path_buf();
	*exit_len = 0;
	if (!buf || len > PATH_LEN)
		return false;
	long n = bpf_probe_read_user_str(buf, PATH_LEN, uptr);
	*exit_len = n;
	if (n != len)
		return true;
	bpf_probe_read_kernel(buf + PATH_LEN, len, kept);
	struct text_cmp c = { .len = len };
	bpf_loop((len + 7) / 8, text_word_step, &c, 0);
	return c.differ;
}

/* Which of the two texts the kernel copies: the entry's (it copies before the call can wait) or the exit's. */
enum copied_text { COPIED_AT_ENTRY, COPIED_AT_EXIT };

/*
 * Text i of a call into dst: where the slot has it for this pointer, the one the kernel copies
 * (the other where that one cannot be read), with bit i in *changed when the exit's differs; else
 * the exit's. An unreadable one is left empty.
 */
static __always_inline void take_text(char *dst, struct entry_texts *t, int i, const char *upath, __u32 *changed,
				      enum copied_text copied)
{
	__u16 len = t && t->uptr[i & 1] == (__u64)upath ? t->len[i & 1] : 0;
	const char *kept = len ? kept_text(t, i) : NULL;
	if (kept) {
		long n = 0;
		if (exit_text_differs(kept, len, upath, &n)) {
			*changed |= 1 << i;
			char *buf = get_path_buf();
			if (copied == COPIED_AT_EXIT && n > 0 && buf) {
				bpf_probe_read_kernel_str(dst, PATH_LEN, buf);
				return;
			}
		}
		bpf_probe_read_kernel_str(dst, PATH_LEN, kept);
	} else if (bpf_probe_read_user_str(dst, PATH_LEN, upath) <= 0) {
		dst[0] = 0;
	}
}

/*
 * The short text of a call into dst (SHORT_TEXT_LEN bytes, zeroed by the caller) as take_text does:
 * the entry's where the slot has it for this pointer and the kernel copies it early (the exit's
 * otherwise, unless unreadable), with SHORT_TEXT_EARLY in *changed when the exit's differs; else the
 * exit's. Whether dst holds a text (false: unreadable).
 */
static __always_inline bool take_short_text(char *dst, struct entry_texts *t, const char *uptr, __u32 *changed)
{
	long n = bpf_probe_read_user_str(dst, SHORT_TEXT_LEN, uptr);
	if (!t || t->short_uptr != (__u64)uptr || !t->short_len)
		return n > 0;
	__u64 *now = (__u64 *)dst, *kept = (__u64 *)t->short_text;
	__u64 differ = n != t->short_len;
	#pragma unroll
	for (int w = 0; w < SHORT_TEXT_LEN / 8; w++)
		differ |= now[w] ^ kept[w];
	if (!differ)
		return true;
	*changed |= SHORT_TEXT_EARLY;
	if ((t->early & SHORT_TEXT_EARLY) || n <= 0)
		__builtin_memcpy(dst, t->short_text, SHORT_TEXT_LEN);
	return true;
}

#endif /* EUNOMIA_ENTRY_TEXTS_BPF_H */
