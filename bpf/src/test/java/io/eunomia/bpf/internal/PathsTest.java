package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathsTest {
    @Test
    void normalisesDotsAndSlashes() {
        assertThat(Paths.normalize("/etc/./x/../shadow")).isEqualTo("/etc/shadow");
        assertThat(Paths.normalize("/tmp/../../etc/passwd")).isEqualTo("/etc/passwd");
        assertThat(Paths.normalize("/a/b/")).isEqualTo("/a/b");
        assertThat(Paths.normalize("/..")).isEqualTo("/");
        assertThat(Paths.normalize("/")).isEqualTo("/");
    }

    @Test
    void keepsCutAndRelativePathsAsTheyAre() {
        assertThat(Paths.normalize("//deep/cut/path")).isEqualTo("//deep/cut/path");
        assertThat(Paths.normalize("relative/x")).isEqualTo("relative/x");
        assertThat(Paths.normalize("")).isEmpty();
    }
}
