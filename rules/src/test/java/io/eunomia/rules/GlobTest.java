package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.rules.internal.Glob;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free glob matcher agrees with the regular expression the glob stands for. */
class GlobTest {
    private static void agree(String pattern, String value) {
        assertThat(Glob.compile(pattern).matches(value)).as("'%s' glob '%s'", value, pattern)
                .isEqualTo(Match.compileGlob(pattern).matcher(value).matches());
    }

    @Test
    void examples() {
        for (String p : List.of("/home/*/.ssh/id_*", "*/.ssh/id_*", "/etc/x[0-9]", "/etc/x[!a]", "/etc/x[^a]", "a?b", "a.b", "*",
                "", "[", "a[", "[]]", "[]a]", "*a*b*", "/run/secrets/kubernetes.io/serviceaccount/*", "a\\b", "[a-]", "[-a]")) {
            for (String v : List.of("", "a", "b", "ab", "a.b", "a+b", "/etc/x1", "/etc/xa", "/etc/xb", "/home/ann/.ssh/id_rsa",
                    "/root/.ssh/id_ed25519.pub", "[", "a[", "]", "a]", "-", "xaxbx", "a\\b", "/run/secrets/kubernetes.io/serviceaccount/token")) {
                agree(p, v);
            }
        }
    }

    @Test
    void randomPatternsAndValues() {
        Random r = new Random(42);
        String[] parts = {"a", "b", "/", ".", "*", "?", "[ab]", "[!a]", "[a-c]", "**", "["};
        String values = "ab/.c[";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder p = new StringBuilder();
            for (int k = r.nextInt(6); k > 0; k--) {
                p.append(parts[r.nextInt(parts.length)]);
            }
            StringBuilder v = new StringBuilder();
            for (int k = r.nextInt(9); k > 0; k--) {
                v.append(values.charAt(r.nextInt(values.length())));
            }
            agree(p.toString(), v.toString());
        }
    }
}
