package io.eunomia.bpf.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Asks the running x86_64 kernel whether it runs 32-bit calls at all: a kernel booted with
 * ia32_emulation=0, built with IA32_EMULATION_DEFAULT_DISABLED, or under a hypervisor that leaves it
 * off (PVM) answers {@code int $0x80} with a general protection fault, so no task can make a 32-bit
 * call and the 32-bit dispatcher would only cost every syscall. The question is put to the kernel
 * itself by a tiny static x86-64 program made here from bytes (no compiler on user hosts):
 * {@code mov eax,20 (getpid); int 0x80; xor edi,edi; mov eax,60; syscall} (exit 0).
 */
public final class Ia32Probe {
    /** What the kernel did with the probe. */
    public enum Verdict {
        /** The program ended with 0: int $0x80 returned, 32-bit calls run. */
        RUNS,
        /** int $0x80 ended it by SIGSEGV (or SIGILL): this kernel runs no 32-bit call. */
        REFUSED,
        /** The probe could not tell (not executable here, odd status): treat as "may run". */
        UNKNOWN
    }

    /** @param detail why, for the log and status (the signal, the error) */
    public record Answer(Verdict verdict, String detail) {}

    private static final long BASE = 0x40_0000L;
    private static final int EHDR = 64;
    private static final int PHDR = 56;
    /** Java reports a process killed by signal N as exit status 128 + N. */
    private static final int SIGNALLED = 128;
    private static final int SIGILL = 4;
    private static final int SIGSEGV = 11;

    private Ia32Probe() {}

    /**
     * The probe program: with {@code int32} the 32-bit getpid is made before the 64-bit exit(0);
     * without it two NOPs stand in its place (the same program otherwise: the test that the 64-bit
     * path works, so a probe that dies says something about int $0x80 only).
     */
    public static byte[] program(boolean int32) {
        byte[] code = {
            (byte) 0xB8, 20, 0, 0, 0,                     // mov eax, 20 (ia32 getpid)
            int32 ? (byte) 0xCD : (byte) 0x90, int32 ? (byte) 0x80 : (byte) 0x90, // int 0x80 | nop; nop
            0x31, (byte) 0xFF,                            // xor edi, edi
            (byte) 0xB8, 60, 0, 0, 0,                     // mov eax, 60 (exit)
            0x0F, 0x05,                                   // syscall
        };
        int size = EHDR + PHDR + code.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1 /* version */, 0 /* SysV */});
        b.put(new byte[8]);
        b.putShort((short) 2);            // ET_EXEC
        b.putShort((short) 0x3E);         // EM_X86_64
        b.putInt(1);                      // EV_CURRENT
        b.putLong(BASE + EHDR + PHDR);    // entry: the code after the headers
        b.putLong(EHDR);                  // program headers right after this header
        b.putLong(0);                     // no section headers
        b.putInt(0);                      // flags
        b.putShort((short) EHDR);
        b.putShort((short) PHDR);
        b.putShort((short) 1);            // one program header
        b.putShort((short) 64);           // section header size (none present)
        b.putShort((short) 0);
        b.putShort((short) 0);
        b.putInt(1);                      // PT_LOAD: the whole file, read + execute
        b.putInt(5);                      // PF_R | PF_X
        b.putLong(0);
        b.putLong(BASE);
        b.putLong(BASE);
        b.putLong(size);
        b.putLong(size);
        b.putLong(0x1000);
        b.put(code);
        return b.array();
    }

    /**
     * Writes the program into a fresh 0700 directory under {@code parent}, runs it (no shell, no
     * argument) and removes it. Any failure to write or run it is {@link Verdict#UNKNOWN}, with why.
     */
    public static Answer run(Path parent, boolean int32) {
        Path dir = null;
        try {
            Files.createDirectories(parent);
            dir = Files.createTempDirectory(parent, "ia32-probe-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path exe = dir.resolve("probe");
            Files.write(exe, program(int32));
            Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("r-x------"));
            Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Answer(Verdict.UNKNOWN, "the probe " + exe + " did not end within 10 s");
            }
            int status = p.exitValue();
            if (status == 0) {
                return new Answer(Verdict.RUNS, "int $0x80 returned to the probe");
            }
            if (status == SIGNALLED + SIGSEGV || status == SIGNALLED + SIGILL) {
                return new Answer(Verdict.REFUSED, "int $0x80 killed the probe by " + (status == SIGNALLED + SIGSEGV ? "SIGSEGV" : "SIGILL"));
            }
            return new Answer(Verdict.UNKNOWN, "the probe ended with status " + status);
        } catch (IOException e) {
            // noexec mount, EACCES, no x86-64 binaries here ...: the probe says nothing.
            return new Answer(Verdict.UNKNOWN, "cannot run the probe under " + parent + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Verdict.UNKNOWN, "interrupted while the probe ran");
        } finally {
            removeQuietly(dir);
        }
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a left-over 0700 directory with a 200-byte file is harmless
        }
    }
}
