package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.SyscallArguments;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The privilege sensor's call table as Java reads it (SyscallArguments), against the programs built from it. */
class PrivProgramsTest {
    @Test
    void theDecoderReadsTheTableThePrivilegeSensorIsBuiltFrom() throws Exception {
        var calls = SyscallArguments.load();
        var url = PrivProgramsTest.class.getResource("/io/eunomia/bpf/priv.bpf.o");
        assertThat(url).as("priv.bpf.o built by the bpf module").isNotNull();
        Btf priv = Btf.of(Path.of(url.toURI()));
        Set<String> fromTable = new TreeSet<>();
        calls.values().forEach(c -> {
            fromTable.add("exit_" + c.tracepoint());
            if (!SyscallArguments.exitOnly().contains(c.syscall())) {
                fromTable.add("enter_" + c.tracepoint());   // a row judged at exit alone has no enter program
            }
        });
        assertThat(SyscallArguments.exitOnly()).contains("socket", "kill", "ptrace", "bpf");
        Set<String> programs = new TreeSet<>(priv.functions());
        programs.removeIf(f -> !f.startsWith("enter_") && !f.startsWith("exit_"));
        assertThat(programs).as("the tracepoint programs of priv.bpf.o").isEqualTo(fromTable);

        assertThat(calls.get("setresuid")).isEqualTo(new SyscallArguments.Call("setresuid", "setresuid",
                List.of("ruid", "euid", "suid", "prev_uid", "prev_euid", "prev_suid"), List.of()));
        assertThat(calls.get("umount2")).isEqualTo(new SyscallArguments.Call("umount2", "umount", List.of("flags"), List.of("target")));
        assertThat(calls.get("mount").strings()).containsExactly("source", "target", "fstype");
        // The new mount API's attach names what it attaches as mount(2) does: source, target, fstype.
        assertThat(calls.get("move_mount").strings()).containsExactly("from", "target", "source", "fstype");
        assertThat(calls.get("mount_setattr").args()).containsExactly("dfd", "flags", "attr_set", "attr_clr", "propagation");
        assertThat(calls.get("finit_module")).isEqualTo(new SyscallArguments.Call("finit_module", "finit_module",
                List.of("fd", "flags"), List.of("path", "params")));
    }
}
