package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.path.PathPrefixes;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadTopsTest {
    @Test
    void firstComponentsOfFilesDirectoriesAndStringPrefixes() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/etc/shadow", "/root/.ssh/", "/etc/ssh/ssh_host_*", "/boot"))))
                .hasValueSatisfying(t -> assertThat(t).containsExactly("boot", "etc", "root"));
    }

    @Test
    void offWhenAPrefixDoesNotNameItsFirstComponentWhole() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/etc/shadow", "/e*")))).isEmpty();
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/")))).isEmpty();
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/" + "x".repeat(ReadTops.NAME_MAX) + "/f")))).isEmpty();
    }

    @Test
    void aNameJustBelowTheLimitIsKeptAndItsKeyIsNulPadded() {
        String name = "n".repeat(ReadTops.NAME_MAX - 1);
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/" + name + "*")))).isEmpty();
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/" + name + "/")))).hasValueSatisfying(t -> assertThat(t).containsExactly(name));
        byte[] key = ReadTops.key("etc");
        assertThat(key).hasSize(ReadTops.NAME_MAX);
        assertThat(new String(key, 0, 4)).isEqualTo("etc\0");
    }

    @Test
    void noPrefixesNoNames() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of()))).hasValueSatisfying(t -> assertThat(t).isEmpty());
    }
}
