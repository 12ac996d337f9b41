/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The privilege sensor's system calls, one row each: the one place a call is added or changed.
 * priv.bpf.c turns each row into its enter/exit programs; Java (io.eunomia.event.SyscallArguments:
 * the decoder, and rules' syscall.arg.NAME / syscall.str.NAME) reads the names from this file
 * (packaged in the event jar).
 * A row says what the record (struct syscall_event) carries, in order, in args[] and in the
 * strings after it; the last word of every item is the name user space shows the value under.
 *
 *   PRIV(syscall, tracepoint, ARGS(...) | NO_ARGS, STRS(...) | NO_STRS)    every call
 *   PRIV_IF(syscall, tracepoint, keep, ARGS(...), ...)                      calls keep(ctx) accepts at enter
 *   PRIV_EXIT_IF(syscall, tracepoint, keep, ARGS(...), ...)                 the same, judged at exit (keep reads only
 *                                                                           integer arguments: no enter program)
 *   PRIV_ENTER(syscall, tracepoint, on_enter, ARGS(...), ...)               on_enter(ctx, a) also runs at enter
 *
 * syscall is the name user space knows the call by (its number's name), tracepoint the name of
 * its syscalls/sys_{enter,exit}_* tracepoints. Items, with n the index of a call argument:
 *
 *   INT(n, name)              an int argument, sign-extended (a uid of -1 stays -1)
 *   LONG(n, name)             a 64-bit argument as it is (or a slot on_enter filled)
 *   MODE(n, name)             a mode's permission bits (& 07777)
 *   USER_STR(n, max, name)    a string in user memory, up to max bytes
 *   PATH(n, name)             a user path made absolute against the cwd
 *   PATH_AT(dirfd, n, name)   a user path made absolute against directory fd argument dirfd
 *   PATH_TEXT(n, name)        PATH of a call whose enter kept the text too (keep: TEXTS_KEEP; on_enter: keep_texts_*): the
 *                             text the kernel copied, with the record's text_changed (rules:
 *                             fd.text_changed) when the caller rewrote it during the call (TOCTOU)
 *   PATH_AT_TEXT(dirfd, n, name)  the same, made absolute against directory fd argument dirfd
 *   PATH_ENTRY_TEXT(n, name), PATH_AT_ENTRY_TEXT(dirfd, n, name)  the same for a call that copies
 *                             the path first: the entry's text (priv.bpf.c, put_call_text)
 *   USER_STR_TEXT(n, max, name)  USER_STR kept at enter too, the exit's text, as PATH_TEXT
 *   SHORT_STR_TEXT(n, name)   a string of at most 64 bytes kept at enter too by on_enter (keep_short_text),
 *                             the copy the kernel used as on_enter judged it (entry_texts.early)
 *   FD_PATH(n, name)          the path of the open file descriptor argument n
 *   MNT_FSTYPE(n, name)       the file system type of the mount the fd in slot n (or RESULT: the
 *                             fd the call returned) is on
 *   MNT_DEVNAME(n, name)      that mount's device name (what mount(2) calls its source)
 *   XATTR_ARGS(n, member, name)                 a member (value, size, flags) of struct xattr_args at argument n
 *   FILE_CAPS(name_n, value_n, size_n, part, name)  a part (CAPS_PERMITTED, CAPS_INHERITABLE: 64-bit sets;
 *                             CAPS_EFFECTIVE: the flag) of the file capabilities an xattr value of
 *                             security.capability sets; 0 for other names
 *   FILE_CAPS_AT(name_n, uargs_n, part, name)   the same with the value in struct xattr_args at uargs_n
 *   ACL_TEXT(name_n, value_n, size_n, name)     (a string) what a POSIX ACL value of system.posix_acl_access or
 *                             _default grants, as setfacl's short text ("u::rw-,u:1000:r--,m::r--,o::---");
 *                             no string for other names
 *   ACL_TEXT_AT(name_n, uargs_n, name)          the same with the value in struct xattr_args at uargs_n
 *
 * At most SYSCALL_EVT_ARGS numbers and SYSCALL_EVT_STRS strings.
 */

/*
 * The set*id calls end with the caller's real, effective and saved id from before the call,
 * kept at enter (save_uids/save_gids) in the argument slots these calls leave unused.
 */
PRIV_ENTER(setuid, setuid, save_uids,
	ARGS(INT(0, uid), LONG(PREV_REAL, prev_uid), LONG(PREV_EFF, prev_euid), LONG(PREV_SAVED, prev_suid)), NO_STRS)
PRIV_ENTER(setgid, setgid, save_gids,
	ARGS(INT(0, gid), LONG(PREV_REAL, prev_gid), LONG(PREV_EFF, prev_egid), LONG(PREV_SAVED, prev_sgid)), NO_STRS)
PRIV(setfsuid, setfsuid, ARGS(INT(0, uid)), NO_STRS)
PRIV(setfsgid, setfsgid, ARGS(INT(0, gid)), NO_STRS)
PRIV_ENTER(setreuid, setreuid, save_uids,
	ARGS(INT(0, ruid), INT(1, euid), LONG(PREV_REAL, prev_uid), LONG(PREV_EFF, prev_euid), LONG(PREV_SAVED, prev_suid)),
	NO_STRS)
PRIV_ENTER(setregid, setregid, save_gids,
	ARGS(INT(0, rgid), INT(1, egid), LONG(PREV_REAL, prev_gid), LONG(PREV_EFF, prev_egid), LONG(PREV_SAVED, prev_sgid)),
	NO_STRS)
PRIV_ENTER(setresuid, setresuid, save_uids,
	ARGS(INT(0, ruid), INT(1, euid), INT(2, suid),
	     LONG(PREV_REAL, prev_uid), LONG(PREV_EFF, prev_euid), LONG(PREV_SAVED, prev_suid)), NO_STRS)
PRIV_ENTER(setresgid, setresgid, save_gids,
	ARGS(INT(0, rgid), INT(1, egid), INT(2, sgid),
	     LONG(PREV_REAL, prev_gid), LONG(PREV_EFF, prev_egid), LONG(PREV_SAVED, prev_sgid)), NO_STRS)

PRIV(unshare, unshare, ARGS(LONG(0, flags)), NO_STRS)
PRIV_EXIT_IF(ptrace, ptrace, ptrace_keep, ARGS(LONG(0, request), INT(1, pid)), NO_STRS)
/*
 * process_vm_readv/writev(pid, ...): another process's memory read or written (credential dumping,
 * injection); own is 1 when pid names the caller's own process (priv.bpf.c, own_target), the result
 * the bytes copied
 */
PRIV_ENTER(process_vm_readv, process_vm_readv, own_target, ARGS(INT(0, pid), LONG(OWN_TARGET, own)), NO_STRS)
PRIV_ENTER(process_vm_writev, process_vm_writev, own_target, ARGS(INT(0, pid), LONG(OWN_TARGET, own)), NO_STRS)
PRIV_EXIT_IF(kill, kill, kill_keep, ARGS(INT(0, pid), INT(1, sig)), NO_STRS)
PRIV_EXIT_IF(socket, socket, socket_keep, ARGS(INT(0, family), INT(1, type), INT(2, protocol)), NO_STRS)
PRIV_EXIT_IF(bpf, bpf, bpf_keep, ARGS(INT(0, cmd)), NO_STRS)

/* init_module(image, len, params), finit_module(fd, params, flags), delete_module(name, flags) */
PRIV(init_module, init_module, ARGS(LONG(1, len)), STRS(USER_STR(2, 256, params)))
PRIV(finit_module, finit_module, ARGS(INT(0, fd), INT(2, flags)), STRS(FD_PATH(0, path), USER_STR(1, 256, params)))
PRIV(delete_module, delete_module, ARGS(INT(1, flags)), STRS(USER_STR(0, 64, name)))

/*
 * mount(source, target, fstype, flags, data): source stays as given (often not a path); the three
 * texts as the kernel copied them (it copies the type, the source, the options, then the target:
 * keep_mount_texts says which came before anything could wait; text_changed when the caller rewrote
 * one during the call)
 */
PRIV_ENTER(mount, mount, keep_mount_texts, ARGS(LONG(3, flags)),
	STRS(USER_STR_TEXT(0, 1024, source), PATH_TEXT(1, target), SHORT_STR_TEXT(2, fstype)))
/* umount2(target, flags): its tracepoint is named after the kernel's sys_umount */
PRIV_ENTER(umount2, umount, keep_texts_0, ARGS(INT(1, flags)), STRS(PATH_ENTRY_TEXT(0, target)))
/* setns(fd, nstype): the namespace file (/proc/PID/ns/mnt, a bind-mounted netns ...) */
PRIV(setns, setns, ARGS(INT(0, fd), INT(1, nstype)), STRS(FD_PATH(0, path)))
/*
 * The new mount API does what mount(2) does in steps, each naming its object by an fd:
 * fsopen(fstype) + fsconfig(key, value) + fsmount() + move_mount() mount a new file system,
 * open_tree(OPEN_TREE_CLONE) + move_mount() a bind mount, fspick() + fsconfig() reconfigure a mounted
 * one, mount_setattr() changes a mount's flags (ro, nosuid, idmap, propagation). The mount an fd
 * holds is described from the kernel's mount object (MNT_*), so move_mount says what it attached.
 */
PRIV(fsopen, fsopen, ARGS(INT(1, flags)), STRS(USER_STR(0, 64, fstype)))
/* fspick(dfd, path, flags): a context on the super block mounted at path (a remount) */
PRIV_ENTER(fspick, fspick, keep_texts_1, ARGS(INT(0, dfd), INT(2, flags)),
	STRS(PATH_AT_ENTRY_TEXT(0, 1, target), MNT_FSTYPE(RESULT, fstype)))
/*
 * fsconfig(fd, cmd, key, value, aux): the value only for the key "source" (others may be secrets; key
 * judged at enter, or at exit when unreadable then); both as the kernel copied them (text_changed)
 */
PRIV_ENTER(fsconfig, fsconfig, source_value_only, ARGS(INT(0, fd), INT(1, cmd), INT(4, aux)),
	STRS(SHORT_STR_TEXT(2, key), USER_STR_TEXT(3, 1024, source)))
/* fsmount(fs_fd, flags, attr_flags): a detached mount of the context; the result is its fd */
PRIV(fsmount, fsmount, ARGS(INT(0, fd), INT(1, flags), INT(2, attr_flags)),
	STRS(MNT_DEVNAME(RESULT, source), MNT_FSTYPE(RESULT, fstype)))
/*
 * move_mount(from_dfd, from_path, to_dfd, to_path, flags): attaches (or moves) a mount at target;
 * when from is an fd (MOVE_MOUNT_F_EMPTY_PATH) the mount's device name and type, else empty.
 */
PRIV_ENTER(move_mount, move_mount, moved_mount_fd, ARGS(INT(0, from_dfd), INT(2, to_dfd), LONG(4, flags)),
	STRS(PATH_AT_ENTRY_TEXT(0, 1, from), PATH_AT_ENTRY_TEXT(2, 3, target), MNT_DEVNAME(MOVED_MOUNT_FD, source), MNT_FSTYPE(MOVED_MOUNT_FD, fstype)))
/* open_tree(dfd, path, flags) and open_tree_attr(..., attr, size): clones only (a bind's first step) */
PRIV_IF(open_tree, open_tree, clone_tree_texts, ARGS(INT(0, dfd), LONG(2, flags)),
	STRS(PATH_AT_ENTRY_TEXT(0, 1, source), MNT_FSTYPE(RESULT, fstype)))
PRIV_IF(open_tree_attr, open_tree_attr, clone_tree_texts, ARGS(INT(0, dfd), LONG(2, flags)),
	STRS(PATH_AT_ENTRY_TEXT(0, 1, source), MNT_FSTYPE(RESULT, fstype)))
/* mount_setattr(dfd, path, flags, attr, size): struct mount_attr's fields, copied at enter (at exit when unreadable then) */
PRIV_ENTER(mount_setattr, mount_setattr, read_mount_attr,
	ARGS(INT(0, dfd), LONG(2, flags), LONG(3, attr_set), LONG(4, attr_clr), LONG(5, propagation)),
	STRS(PATH_AT_TEXT(0, 1, target)))
/* pivot_root(new_root, put_old): target is the new root of the mount namespace */
PRIV_ENTER(pivot_root, pivot_root, keep_texts_0_1, NO_ARGS, STRS(PATH_ENTRY_TEXT(0, target), PATH_ENTRY_TEXT(1, put_old)))

/* memfd_create(name, flags): fileless execution starts here */
PRIV(memfd_create, memfd_create, ARGS(INT(1, flags)), STRS(USER_STR(0, 256, name)))

/*
 * chmod family: only modes that make a file setuid or setgid; the file's absolute path, as the
 * kernel copied it at entry (PATH_ENTRY_TEXT: a rewrite while the call waits for the inode's lock is
 * flagged, text_changed)
 */
PRIV_IF(chmod, chmod, suid_chmod, ARGS(MODE(1, mode)), STRS(PATH_ENTRY_TEXT(0, path)))
PRIV_IF(fchmod, fchmod, mode_arg1, ARGS(MODE(1, mode)), STRS(FD_PATH(0, path)))
PRIV_IF(fchmodat, fchmodat, suid_chmodat, ARGS(MODE(2, mode)), STRS(PATH_AT_ENTRY_TEXT(0, 1, path)))
PRIV_IF(fchmodat2, fchmodat2, suid_chmodat, ARGS(MODE(2, mode), INT(3, flags)), STRS(PATH_AT_ENTRY_TEXT(0, 1, path)))

/*
 * Extended attribute writes and removals, for names in security.* and trusted.* and the POSIX ACLs
 * only (xattr_keep reads the name at enter): file capabilities (security.capability, what setcap
 * writes), LSM labels (security.selinux, security.SMACK64...), IMA/EVM hashes and signatures, trusted.*
 * (overlayfs and other privileged metadata), system.posix_acl_access and system.posix_acl_default
 * (what setfacl writes; acl is what the ACL grants). user.* and other system.* names are not reported. The path is the
 * file's absolute path; name the attribute; size the value's length; for security.capability,
 * cap_permitted and cap_inheritable the capability sets it gives the file (bit n = capability n) and
 * cap_effective whether they are raised into the effective set at exec (the "+ep" of setcap). The
 * name and value are read from user memory (the name at enter, again at exit): a racing thread can
 * change them around the kernel's own copy (the ring's requests, priv.bpf.c, are read from the
 * kernel's copy). The path is read at enter and at exit (PATH_TEXT): a rewrite during the call is
 * flagged (text_changed).
 */
PRIV_IF(setxattr, setxattr, xattr_path0_name1,
	ARGS(LONG(3, size), INT(4, flags), FILE_CAPS(1, 2, 3, CAPS_PERMITTED, cap_permitted),
	     FILE_CAPS(1, 2, 3, CAPS_INHERITABLE, cap_inheritable), FILE_CAPS(1, 2, 3, CAPS_EFFECTIVE, cap_effective)),
	STRS(PATH_TEXT(0, path), USER_STR(1, 256, name), ACL_TEXT(1, 2, 3, acl)))
PRIV_IF(lsetxattr, lsetxattr, xattr_path0_name1,
	ARGS(LONG(3, size), INT(4, flags), FILE_CAPS(1, 2, 3, CAPS_PERMITTED, cap_permitted),
	     FILE_CAPS(1, 2, 3, CAPS_INHERITABLE, cap_inheritable), FILE_CAPS(1, 2, 3, CAPS_EFFECTIVE, cap_effective)),
	STRS(PATH_TEXT(0, path), USER_STR(1, 256, name), ACL_TEXT(1, 2, 3, acl)))
PRIV_IF(fsetxattr, fsetxattr, xattr_name_arg1,
	ARGS(LONG(3, size), INT(4, flags), FILE_CAPS(1, 2, 3, CAPS_PERMITTED, cap_permitted),
	     FILE_CAPS(1, 2, 3, CAPS_INHERITABLE, cap_inheritable), FILE_CAPS(1, 2, 3, CAPS_EFFECTIVE, cap_effective)),
	STRS(FD_PATH(0, path), USER_STR(1, 256, name), ACL_TEXT(1, 2, 3, acl)))
/* setxattrat(dirfd, path, at_flags, name, struct xattr_args *uargs, usize) (6.13) */
PRIV_IF(setxattrat, setxattrat, xattr_path1_name3,
	ARGS(INT(2, at_flags), XATTR_ARGS(4, size, size), XATTR_ARGS(4, flags, flags),
	     FILE_CAPS_AT(3, 4, CAPS_PERMITTED, cap_permitted), FILE_CAPS_AT(3, 4, CAPS_INHERITABLE, cap_inheritable),
	     FILE_CAPS_AT(3, 4, CAPS_EFFECTIVE, cap_effective)),
	STRS(PATH_AT_TEXT(0, 1, path), USER_STR(3, 256, name), ACL_TEXT_AT(3, 4, acl)))
PRIV_IF(removexattr, removexattr, xattr_path0_name1, NO_ARGS, STRS(PATH_TEXT(0, path), USER_STR(1, 256, name)))
PRIV_IF(lremovexattr, lremovexattr, xattr_path0_name1, NO_ARGS, STRS(PATH_TEXT(0, path), USER_STR(1, 256, name)))
PRIV_IF(fremovexattr, fremovexattr, xattr_name_arg1, NO_ARGS, STRS(FD_PATH(0, path), USER_STR(1, 256, name)))
PRIV_IF(removexattrat, removexattrat, xattr_path1_name3, ARGS(INT(2, at_flags)), STRS(PATH_AT_TEXT(0, 1, path), USER_STR(3, 256, name)))
