package io.eunomia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.bench.WorkloadRuns.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadRunsTest {
    @TempDir
    Path tmp;

    @Test
    void workloadsAreChosenByTheirExactKey() throws Exception {
        // "c" is in "tar cf" and in "gcc": a substring of the display name must not choose either
        assertThatThrownBy(() -> WorkloadRuns.chosen(tmp, List.of("c")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'c'").hasMessageContaining("tar, git, true, gcc, web");
        assertThat(WorkloadRuns.chosen(tmp, List.of("gcc", "true"))).extracting(Workload::key).containsExactly("true", "gcc");
        assertThat(WorkloadRuns.chosen(tmp, List.of("web"))).isEmpty();
        assertThat(WorkloadRuns.chosen(tmp, List.of())).hasSize(4);
    }

    @Test
    void gccTakesItsPathsAsArgumentsNotShellText() throws Exception {
        // a work directory whose name the shell would split and run: $(touch ...) must stay text
        Path work = Files.createDirectories(tmp.resolve("a b;$(touch pwned)"));
        Workload gcc = WorkloadRuns.chosen(work, List.of("gcc")).getFirst();
        Process p = new ProcessBuilder(gcc.command()).directory(work.toFile()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(said).isZero();
        assertThat(work.resolve("empty.o")).exists();
        assertThat(work.resolve("pwned")).doesNotExist();
    }
}
