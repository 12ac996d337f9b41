package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.ReadTops.Top;
import io.eunomia.event.path.PathPrefixes;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadTopsTest {
    @Test
    void firstTwoNamesOfFilesDirectoriesAndStringPrefixes() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/etc/shadow", "/root/.ssh/id_*", "/etc/ssh/ssh_host_*", "/home/"))))
                .hasValueSatisfying(t -> assertThat(t).containsExactly(
                        new Top("etc", "shadow"), new Top("etc", "ssh"), new Top("home", ""), new Top("root", ".ssh")));
    }

    @Test
    void aPrefixWithoutAWholeSecondNameStandsForItsWholeTopLevelDirectory() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/boot", "/root/.ss*", "/srv/" + "x".repeat(ReadTops.NAME_MAX) + "/f"))))
                .hasValueSatisfying(t -> assertThat(t).containsExactly(new Top("boot", ""), new Top("root", ""), new Top("srv", "")));
    }

    @Test
    void offWhenAPrefixDoesNotNameItsFirstComponentWhole() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/etc/shadow", "/e*")))).isEmpty();
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/")))).isEmpty();
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/" + "x".repeat(ReadTops.NAME_MAX) + "/f")))).isEmpty();
    }

    @Test
    void aNameJustBelowTheLimitIsKeptAndKeysAreNulPadded() {
        String name = "n".repeat(ReadTops.NAME_MAX - 1);
        assertThat(ReadTops.of(PathPrefixes.of(List.of("/" + name + "/" + name))))
                .hasValueSatisfying(t -> assertThat(t).containsExactly(new Top(name, name)));
        byte[] key = ReadTops.key(new Top("etc", "shadow"));
        assertThat(key).hasSize(2 * ReadTops.NAME_MAX);
        assertThat(new String(key, 0, 4)).isEqualTo("etc\0");
        assertThat(new String(key, ReadTops.NAME_MAX, 7)).isEqualTo("shadow\0");
    }

    @Test
    void noPrefixesNoNames() {
        assertThat(ReadTops.of(PathPrefixes.of(List.of()))).hasValueSatisfying(t -> assertThat(t).isEmpty());
    }
}
