package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A syscall argument whose value decides how dangerous the call is, so learning records the
 * values seen and a seccomp profile can allow only those ({@code args} conditions).
 *
 * @param syscall  the call's name (the same in every architecture's table)
 * @param index    which argument, 0-based (seccomp's {@code args[].index})
 * @param name     what the argument is, for people ("family", "type", "flags", ...)
 * @param mask     the bits that are recorded and compared ({@code value & mask}); {@code -1} = all 64.
 *                 A seccomp rule compares with {@code SCMP_CMP_MASKED_EQ} when the mask is not -1.
 * @param inMemory true when the value is a field of a struct the argument points to (clone3's
 *                 {@code clone_args.flags}): recorded for people, but seccomp cannot compare it
 */
public record ArgumentSpec(String syscall, int index, String name, long mask, boolean inMemory) {
    /** socket(2): the address family decides AF_PACKET/AF_NETLINK exposure. */
    public static final ArgumentSpec SOCKET_FAMILY = new ArgumentSpec("socket", 0, "family", -1, false);
    /** socket(2): the type without SOCK_NONBLOCK/SOCK_CLOEXEC (SOCK_TYPE_MASK 0xf): SOCK_RAW. */
    public static final ArgumentSpec SOCKET_TYPE = new ArgumentSpec("socket", 1, "type", 0xF, false);
    /** The CLONE_NEW* bits clone(2) may take (CLONE_NEWTIME's 0x80 is CSIGNAL there, so not it). */
    public static final long CLONE_NAMESPACE_FLAGS = 0x7E02_0000L;
    /** The CLONE_NEW* bits of unshare(2) and clone3(2), CLONE_NEWTIME (0x80) included. */
    public static final long NAMESPACE_FLAGS = CLONE_NAMESPACE_FLAGS | 0x80L;
    public static final ArgumentSpec CLONE_FLAGS = new ArgumentSpec("clone", 0, "namespace flags", CLONE_NAMESPACE_FLAGS, false);
    public static final ArgumentSpec CLONE3_FLAGS = new ArgumentSpec("clone3", 0, "clone_args.flags namespace flags", NAMESPACE_FLAGS, true);
    public static final ArgumentSpec UNSHARE_FLAGS = new ArgumentSpec("unshare", 0, "namespace flags", NAMESPACE_FLAGS, false);
    public static final ArgumentSpec PERSONALITY = new ArgumentSpec("personality", 0, "persona", 0xFFFF_FFFFL, false);
    public static final ArgumentSpec PRCTL_OPTION = new ArgumentSpec("prctl", 0, "option", 0xFFFF_FFFFL, false);
    /** ioctl(2) request numbers are 32 bits; the upper half of the register is not the caller's. */
    public static final ArgumentSpec IOCTL_REQUEST = new ArgumentSpec("ioctl", 1, "request", 0xFFFF_FFFFL, false);

    /** What learning records, in this order (the kernel's slot numbers are positions in this list). */
    public static final List<ArgumentSpec> LEARNED = List.of(SOCKET_FAMILY, SOCKET_TYPE, CLONE_FLAGS, CLONE3_FLAGS,
            UNSHARE_FLAGS, PERSONALITY, PRCTL_OPTION, IOCTL_REQUEST);

    /** How many distinct values per namespace and argument are kept; past that the set is marked overflowed. */
    public static final int MAX_VALUES = 16;

    public ArgumentSpec {
        if (index < 0 || index > 5) {
            throw new IllegalArgumentException("argument index must be 0..5: " + index);
        }
        if (mask == 0) {
            throw new IllegalArgumentException("mask 0 would record nothing");
        }
    }

    /** The learned argument with this syscall name and index. */
    public static Optional<ArgumentSpec> of(String syscall, int index) {
        return LEARNED.stream().filter(s -> s.syscall.equals(syscall) && s.index == index).findFirst();
    }

    /** The call's number in {@code arch}, empty when that architecture has no such call. */
    public OptionalInt number(Arch arch) {
        return SyscallTable.of(arch).number(syscall);
    }

    /** {@code value & mask}. */
    public long apply(long value) {
        return value & mask;
    }
}
