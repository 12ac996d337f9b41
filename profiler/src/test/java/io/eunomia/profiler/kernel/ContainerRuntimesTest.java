package io.eunomia.profiler.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.ContainerInfo;
import io.eunomia.profiler.RuntimeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's runtime, read from a state directory (a temp one here) that is written after the
 * first look: found at a later look and told to those waiting, once; given up after the patience.
 */
class ContainerRuntimesTest {
    @TempDir
    Path states;

    private final AtomicLong nanos = new AtomicLong(1_000);

    private ContainerRuntimes runtimes() {
        return new ContainerRuntimes(new ContainerSources(List.of(new ContainerSources.StateRoot(states, "podman")), List.of()),
                nanos::get);
    }

    private static ContainerInfo pod(String id) {
        return new ContainerInfo(id, "pod", "alpine:3", "podman", "", "");
    }

    @Test
    void aStateWrittenAfterTheFirstLookIsFoundAtALaterLookAndToldOnce() throws Exception {
        ContainerRuntimes r = runtimes();
        ContainerInfo c = pod("c".repeat(64));
        assertThat(r.runtime(c).name()).isEqualTo("unknown");
        List<RuntimeInfo> told = new ArrayList<>();
        r.whenFound(c, told::add);
        r.lookAgain();
        assertThat(told).as("nothing written yet").isEmpty();

        Files.createDirectories(states.resolve(c.id()));
        Files.writeString(states.resolve(c.id()).resolve("status"), "running");   // what crun writes
        r.lookAgain();
        assertThat(told).singleElement().satisfies(rt -> {
            assertThat(rt.name()).isEqualTo("crun");
            assertThat(rt.manager()).isEqualTo("podman");
        });
        r.lookAgain();
        assertThat(told).as("told once").hasSize(1);
        assertThat(r.pending()).isZero();
        assertThat(r.runtime(c)).isEqualTo(told.getFirst());

        List<RuntimeInfo> late = new ArrayList<>();
        r.whenFound(c, late::add);
        assertThat(late).as("known already: told at once").containsExactly(told.getFirst());
    }

    @Test
    void aStateNeverWrittenStaysUnknownAfterThePatience() throws Exception {
        ContainerRuntimes r = runtimes();
        ContainerInfo c = pod("d".repeat(64));
        List<RuntimeInfo> told = new ArrayList<>();
        r.whenFound(c, told::add);
        assertThat(r.runtime(c).name()).isEqualTo("unknown");
        nanos.addAndGet(ContainerRuntimes.PATIENCE_NANOS);
        r.lookAgain();
        assertThat(r.pending()).isZero();
        // Written after it was given up: the 'unknown' kept is final, nobody is told.
        Files.createDirectories(states.resolve(c.id()));
        Files.writeString(states.resolve(c.id()).resolve("state.json"), "{}");
        r.lookAgain();
        assertThat(told).isEmpty();
        assertThat(r.runtime(c).name()).isEqualTo("unknown");
    }

    /**
     * A container a trusted conmon ran, named neither podman's nor CRI-O's ("conmon"): its manager says
     * conmon, and its OCI runtime comes from the state directory as for any other (crun here). Before,
     * its manager was "" (as if the runtime ran directly), and a generator could not tell why its
     * baseline was unknown once the state was gone.
     */
    @Test
    void aConmonRunContainerKeepsConmonAsItsManagerAndItsRuntimesState() throws Exception {
        ContainerRuntimes r = runtimes();
        ContainerInfo gone = new ContainerInfo("e".repeat(64), "e".repeat(64), "", "conmon", "", "");
        assertThat(r.runtime(gone)).satisfies(rt -> {
            assertThat(rt.name()).isEqualTo("unknown");
            assertThat(rt.manager()).isEqualTo("conmon");
        });
        ContainerInfo running = new ContainerInfo("f".repeat(64), "f".repeat(64), "", "conmon", "", "");
        Files.createDirectories(states.resolve(running.id()));
        Files.writeString(states.resolve(running.id()).resolve("status"), "running");   // what crun writes
        assertThat(r.runtime(running)).satisfies(rt -> {
            assertThat(rt.name()).isEqualTo("crun");
            assertThat(rt.manager()).isEqualTo("conmon");
        });
    }
}
