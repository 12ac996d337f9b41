package io.eunomia.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Our tables against libseccomp's, which Docker, runc and podman use to turn names into numbers. */
class LibseccompCrossCheckTest {
    /**
     * Names libseccomp 2.5.4 (Debian 12, syscalls up to Linux 6.7) does not resolve: all come from
     * syscalls-supplement.tsv. Most are numbered above anything libseccomp knows (456, futex_requeue);
     * uretprobe (335, 6.11) and uprobe (336, 6.18) are x86_64-only and sit in the legacy range.
     * A newer libseccomp shrinks this set: then remove the names the failure lists.
     */
    private static final Set<String> NEWER_THAN_LIBSECCOMP_COMMON = Set.of(
            "statmount", "listmount", "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules", "mseal",
            "setxattrat", "getxattrat", "listxattrat", "removexattrat", "open_tree_attr", "file_getattr",
            "file_setattr");
    private static final Set<String> NEWER_THAN_LIBSECCOMP_X86_64 = Set.of("uretprobe", "uprobe");
    private static final int REVERSE_MAX = 470;
    /** libseccomp's pseudo numbers for multiplexed ia32 calls start at -101 (__PNR_socket). */
    private static final int MULTIPLEXED_PNR = -100;

    private static Set<String> newerThanLibseccomp(Arch arch) {
        Set<String> names = new TreeSet<>(NEWER_THAN_LIBSECCOMP_COMMON);
        if (arch == Arch.X86_64) {
            names.addAll(NEWER_THAN_LIBSECCOMP_X86_64);
        }
        return names;
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyNameHasLibseccompsNumber(Arch arch) throws IOException {
        SyscallTable table = SyscallTable.of(arch);
        Map<String, String> answers = Tools.resolveAll(arch, List.copyOf(table.names()));

        List<String> mismatches = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        Set<String> multiplexed = new TreeSet<>();
        answers.forEach((name, answer) -> {
            int theirs = Integer.parseInt(answer); // -1, or a negative pseudo number, when unknown
            if (arch == Arch.X86 && theirs <= MULTIPLEXED_PNR) {
                // ia32's socket and SysV IPC calls: libseccomp names them by pseudo numbers
                // (socketcall -101.., ipc -201..) and emits both the direct and the multiplexed call.
                multiplexed.add(name);
            } else if (theirs < 0) {
                unknown.add(name);
            } else if (theirs != table.number(name).orElseThrow()) {
                mismatches.add(name + ": ours " + table.number(name).orElseThrow() + ", libseccomp " + theirs);
            }
        });

        assertThat(mismatches).as("%s numbers differing from libseccomp", arch).isEmpty();
        assertThat(multiplexed).as("%s calls libseccomp multiplexes", arch)
                .satisfies(m -> assertThat(m.isEmpty()).isEqualTo(arch != Arch.X86));
        if (arch == Arch.X86) {
            assertThat(multiplexed).contains("socket", "connect", "accept4", "semget", "shmat", "msgsnd");
        }
        assertThat(unknown)
                .as("%s names libseccomp does not know: must be exactly the documented newer syscalls", arch)
                .isEqualTo(newerThanLibseccomp(arch));
        assertThat(supplementNames(arch)).as("documented newer syscalls come from the supplement")
                .containsAll(unknown);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyNumberLibseccompNamesHasThatName(Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        List<String> numbers = IntStream.rangeClosed(0, REVERSE_MAX).mapToObj(Integer::toString).toList();
        Map<Integer, String> theirs = new TreeMap<>();
        Tools.resolveAll(arch, numbers).forEach((nr, name) -> {
            if (!name.equals("UNKNOWN")) {
                theirs.put(Integer.parseInt(nr), name);
            }
        });
        List<String> mismatches = new ArrayList<>();
        theirs.forEach((nr, name) -> {
            String ours = table.name(nr).orElse("<none>");
            if (!ours.equals(name)) {
                mismatches.add(nr + ": ours " + ours + ", libseccomp " + name);
            }
        });

        assertThat(theirs).as("libseccomp resolves most of 0..%d on %s", REVERSE_MAX, arch).hasSizeGreaterThan(280);
        assertThat(mismatches).as("%s numbers libseccomp names differently", arch).isEmpty();
    }

    /** Names the supplement adds for arch (the generator's input next to the script). */
    private static Set<String> supplementNames(Arch arch) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(GeneratorTest.SCRIPTS.resolve("syscalls-supplement.tsv"))) {
            String[] f = line.split("\t");
            if (!line.startsWith("#") && f.length == 4 && List.of(f[2].split(",")).contains(arch.id())) {
                names.add(f[0]);
            }
        }
        assertThat(names).as("entries read from the supplement").isNotEmpty();
        return names;
    }
}
