package io.eunomia.event.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathPrefixesTest {
    @Test
    void plainPrefixMatchesWholeComponents() {
        PathPrefixes p = PathPrefixes.of(List.of("/etc"));
        assertThat(p.matches("/etc")).isTrue();
        assertThat(p.matches("/etc/shadow")).isTrue();
        assertThat(p.matches("/etcfoo")).isFalse();
        assertThat(p.matches("/tmp/etc")).isFalse();
    }

    @Test
    void slashAndStarPrefixesAreRawStringPrefixes() {
        PathPrefixes slash = PathPrefixes.of(List.of("/etc/"));
        assertThat(slash.matches("/etc/shadow")).isTrue();
        assertThat(slash.matches("/etc")).isFalse();
        PathPrefixes star = PathPrefixes.of(List.of("/var/log/app*"));
        assertThat(star.matches("/var/log/app.1")).isTrue();
        assertThat(star.matches("/var/log/ap")).isFalse();
        assertThat(PathPrefixes.of(List.of("/")).matches("/anything")).isTrue();
    }

    @Test
    void undecidablePathsPass() {
        PathPrefixes p = PathPrefixes.of(List.of("/etc"));
        assertThat(p.matches("")).isTrue();
        assertThat(p.matches("relative")).isTrue();
        assertThat(p.matches("//cut/shadow")).isTrue();
        assertThat(PathPrefixes.of(List.of()).matches("/x")).isTrue();
    }

    @Test
    void rejectsPrefixesThatCouldNeverMatch() {
        assertThatIllegalArgumentException().isThrownBy(() -> PathPrefixes.of(List.of("etc")));
        assertThatIllegalArgumentException().isThrownBy(() -> PathPrefixes.of(List.of("/etc/../tmp")));
        assertThatIllegalArgumentException().isThrownBy(() -> PathPrefixes.of(List.of("/a//b")));
        assertThatIllegalArgumentException().isThrownBy(() -> PathPrefixes.of(List.of("/" + "x".repeat(300))));
    }

    @Test
    void normaliserAppliesDotsLexically() {
        assertThat(PathNormalizer.normalize("/etc/./x/../shadow")).isEqualTo("/etc/shadow");
        assertThat(PathNormalizer.normalize("/../..")).isEqualTo("/");
        assertThat(PathNormalizer.normalize("/a//b/")).isEqualTo("/a/b");
        assertThat(PathNormalizer.normalize("/a/.hidden/..x")).isEqualTo("/a/.hidden/..x");
        assertThat(PathNormalizer.normalize("//cut/../x")).isEqualTo("//cut/../x");
        assertThat(PathNormalizer.normalize("rel/../x")).isEqualTo("rel/../x");
        assertThat(PathNormalizer.resolveSymlinkTarget("/tmp/d/link", "../t")).isEqualTo("/tmp/t");
        assertThat(PathNormalizer.resolveSymlinkTarget("/tmp/d/link", "/abs/./t")).isEqualTo("/abs/t");
    }
}
