package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.libbpf.PathDescriptors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Links of /proc read without exceptions: a process gone before its event was read is the common case. */
class ProcReaderLinksTest {
    @Test
    void aLiveProcessHasItsLinksAGoneOneEmptyText(@TempDir Path proc) throws Exception {
        Path pid = Files.createDirectories(proc.resolve("4242"));
        Files.createSymbolicLink(pid.resolve("exe"), Path.of("/usr/bin/true"));
        Files.createSymbolicLink(pid.resolve("cwd"), Path.of("/srv/work"));
        ProcReader r = new ProcReader(proc);
        assertThat(r.exe(4242)).isEqualTo("/usr/bin/true");
        assertThat(r.cwd(4242)).isEqualTo("/srv/work/");
        assertThat(r.exe(4243)).isEmpty();
        assertThat(r.cwd(4243)).isEmpty();
    }

    @Test
    void theRealProcHasThisProcessesExecutable() throws Exception {
        long self = ProcessHandle.current().pid();
        assertThat(ProcReader.system().exe((int) self))
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
    }

    @Test
    void readLinkGivesNullForWhatIsNoLink(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("plain"));
        assertThat(PathDescriptors.readLink(file.toString())).isNull();
        assertThat(PathDescriptors.readLink(dir.resolve("missing").toString())).isNull();
        assertThat(PathDescriptors.readLink("bad\0path")).isNull();
        Files.createSymbolicLink(dir.resolve("l"), Path.of("relative/target"));
        assertThat(PathDescriptors.readLink(dir.resolve("l").toString())).isEqualTo("relative/target");
    }
}
