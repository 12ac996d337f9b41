package io.eunomia.profiler.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.profiler.RuntimeInfo;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A container's runtime found only after its first events replaces the "unknown" first recorded. */
class ProfileBuilderRuntimeTest {
    private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");

    @Test
    void aRuntimeFoundLaterReplacesUnknownAndUnknownNeverComesBack() {
        ProfileBuilder b = new ProfileBuilder("web", "img:1", T0);
        b.container("c1", new RuntimeInfo("unknown", "", "podman"), T0);
        assertThat(b.runtimes()).extracting(RuntimeInfo::name).containsExactly("unknown");

        b.container("c1", new RuntimeInfo("runc", "1.1.5", "podman"), T0.plusSeconds(1));
        assertThat(b.runtimes()).containsExactly(new RuntimeInfo("runc", "1.1.5", "podman"));

        b.container("c2", new RuntimeInfo("unknown", "", "podman"), T0.plusSeconds(2));
        assertThat(b.runtimes()).containsExactly(new RuntimeInfo("runc", "1.1.5", "podman"));
        // Another manager's unknown runtime is its own entry.
        b.container("c3", new RuntimeInfo("unknown", "", "docker"), T0.plusSeconds(3));
        assertThat(b.runtimes()).hasSize(2);
    }
}
