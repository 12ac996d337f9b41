package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sensors' 32-bit call tables (X(ia32 nr, x86_64 nr, on_enter, handler) rows, syscall.bpf.h:
 * COMPAT_PROGRAMS) pair each ia32 number with the x86_64 number of the same call, by the abi
 * module's tables (the ia32 name may end in "32": setuid32 is setuid with 32-bit ids).
 */
class CompatTableTest {
    private static final Pattern ROW = Pattern.compile("X\\((\\w+), (\\d+), (\\w+), (\\w+|COMPAT_IF\\(\\w+, \\w+\\))\\)");
    private static final Pattern DEFINE = Pattern.compile("#define (IA32_\\w+) (\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"file", "net", "priv", "process"})
    void everyRowPairsTheSameCall(String sensor) throws Exception {
        String src = Files.readString(Path.of("src/main/bpf/" + sensor + ".bpf.c"));
        Map<String, Integer> names = new HashMap<>();
        // The socket calls' IA32_ numbers are shared (syscall.bpf.h: unpack_socketcall).
        Matcher d = DEFINE.matcher(src + Files.readString(Path.of("src/main/bpf/syscall.bpf.h")));
        while (d.find()) {
            names.put(d.group(1), Integer.parseInt(d.group(2)));
        }
        SyscallTable ia32 = SyscallTable.of(Arch.X86);
        SyscallTable native64 = SyscallTable.of(Arch.X86_64);
        Matcher m = ROW.matcher(src);
        int rows = 0;
        while (m.find()) {
            String first = m.group(1);
            int ia32Nr = first.chars().allMatch(Character::isDigit) ? Integer.parseInt(first) : names.get(first);
            String ia32Name = ia32.name(ia32Nr).orElseThrow(() -> new AssertionError("no ia32 call " + ia32Nr));
            String nativeName = native64.name(Integer.parseInt(m.group(2))).orElseThrow();
            assertThat(ia32Name.replaceFirst("32$", "")).as("row %s", m.group()).isEqualTo(nativeName);
            rows++;
        }
        assertThat(rows).as("rows in %s.bpf.c", sensor).isGreaterThan(1);
    }
}
