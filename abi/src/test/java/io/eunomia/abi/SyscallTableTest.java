package io.eunomia.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyscallTableTest {
    private static final SyscallTable X86 = SyscallTable.of(Arch.X86_64);
    private static final SyscallTable ARM = SyscallTable.of(Arch.AARCH64);

    @Test
    void knownNumbers() {
        assertThat(X86.number("read")).hasValue(0);
        assertThat(X86.number("open")).hasValue(2);
        assertThat(X86.number("openat")).hasValue(257);
        assertThat(X86.number("_sysctl")).hasValue(156);
        assertThat(X86.number("uretprobe")).hasValue(335);
        assertThat(X86.number("mseal")).hasValue(462);
        assertThat(X86.name(59)).contains("execve");

        // arm64 has only the *at forms of the old path calls, and the 64-bit names of 3264 calls
        assertThat(ARM.number("open")).isEmpty();
        assertThat(ARM.number("stat")).isEmpty();
        assertThat(ARM.number("openat")).hasValue(56);
        assertThat(ARM.number("renameat")).hasValue(38);
        assertThat(ARM.number("newfstatat")).hasValue(79);
        assertThat(ARM.number("fstat")).hasValue(80);
        assertThat(ARM.number("mmap")).hasValue(222);
        assertThat(ARM.number("getrlimit")).hasValue(163);
        assertThat(ARM.number("clone3")).hasValue(435);
        assertThat(ARM.number("memfd_secret")).hasValue(447);
        assertThat(ARM.number("map_shadow_stack")).hasValue(453);
        assertThat(ARM.number("uretprobe")).isEmpty();
    }

    @Test
    void sizesAndBounds() {
        assertThat(X86.size()).isEqualTo(383);
        assertThat(ARM.size()).isEqualTo(325);
        assertThat(X86.maxNumber()).isEqualTo(469);
        assertThat(ARM.maxNumber()).isEqualTo(469);
        assertThat(X86.names()).hasSize(X86.size()).startsWith("read", "write", "open");
        assertThat(SyscallTable.of(Arch.X86_64)).isSameAs(X86);
    }

    @Test
    void unknownNumbersFallBackToNumber() {
        assertThat(X86.nameOrNumber(1)).isEqualTo("write");
        assertThat(X86.nameOrNumber(400)).isEqualTo("syscall_400"); // the unused 335..423 gap
        assertThat(X86.nameOrNumber(470)).isEqualTo("syscall_470");
        assertThat(X86.nameOrNumber(-1)).isEqualTo("syscall_-1");
        assertThat(X86.name(Integer.MAX_VALUE)).isEmpty();
        assertThat(X86.number("no_such_call")).isEmpty();
    }

    @Test
    void namesAreImmutable() {
        assertThatThrownBy(() -> X86.names().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void archNames() {
        assertThat(Arch.X86_64.seccompName()).isEqualTo("SCMP_ARCH_X86_64");
        assertThat(Arch.AARCH64.seccompName()).isEqualTo("SCMP_ARCH_AARCH64");
        assertThat(Arch.X86_64.auditArch()).isEqualTo(0xC000003E);
        assertThat(Arch.AARCH64.auditArch()).isEqualTo(0xC00000B7);
        assertThat(Arch.fromOsArch("amd64")).contains(Arch.X86_64);
        assertThat(Arch.fromOsArch("arm64")).contains(Arch.AARCH64);
        assertThat(Arch.fromOsArch("ppc64le")).isEmpty();
        assertThat(Arch.parse("scmp_arch_aarch64")).contains(Arch.AARCH64);
        assertThat(Arch.current()).isEqualTo(Arch.X86_64); // this machine
    }

    @Test
    void malformedTablesNameFileAndLine() {
        assertParseError("# c\nread\t0\nwrite 1\n", "t.tsv:3: expected NAME<TAB>NUMBER");
        assertParseError("read\tzero\n", "t.tsv:1: number 'zero' is not in 0..4095");
        assertParseError("read\t-1\n", "t.tsv:1: number '-1'");
        assertParseError("Read\t0\n", "t.tsv:1: name 'Read' does not match");
        assertParseError("read\t0\n\nread\t1\n", "t.tsv:3: duplicate name 'read' (first on line 1)");
        assertParseError("read\t0\nwrite\t0\n", "t.tsv:2: number 0 of 'write' is already 'read' (line 1)");
        assertParseError("read\t0\t1\n", "t.tsv:1: expected NAME<TAB>NUMBER");
        assertParseError("# only comments\n", "t.tsv:1: no entries");
    }

    @Test
    void tableFromRows() throws IOException {
        SyscallTable t = SyscallTable.fromRows(Arch.AARCH64, parse("b\t7\na\t3\n"));
        assertThat(t.names()).containsExactly("a", "b");
        assertThat(t.maxNumber()).isEqualTo(7);
        assertThat(t.nameOrNumber(5)).isEqualTo("syscall_5");
    }

    private static List<Tsv.Row> parse(String text) throws IOException {
        return Tsv.read("t.tsv", new BufferedReader(new StringReader(text)), SyscallTable.NAME, SyscallTable.MAX_NUMBER);
    }

    private static void assertParseError(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(TableFormatException.class).hasMessageStartingWith(message);
    }
}
