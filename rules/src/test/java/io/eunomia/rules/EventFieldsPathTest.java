package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** fd.directory and fd.filename, which remember the last path split: never a stale answer. */
class EventFieldsPathTest {
    @Test
    void directoryAndFilenameOfPathsInAnyOrder() {
        String[][] cases = {
            {"/etc/shadow", "/etc", "shadow"},
            {"/x", "/", "x"},
            {"relative", "", "relative"},
            {"/usr/lib/", "/usr/lib", ""},
            {"/etc/passwd", "/etc", "passwd"},
        };
        for (int round = 0; round < 3; round++) {
            for (String[] c : cases) {
                String path = new String(c[0]); // a distinct instance each time, as each event has
                assertThat(EventFields.filename(path)).as(path).isEqualTo(c[2]);
                assertThat(EventFields.directory(path)).as(path).isEqualTo(c[1]);
                assertThat(EventFields.directory(c[0])).as(path).isEqualTo(c[1]);
                assertThat(EventFields.filename(c[0])).as(path).isEqualTo(c[2]);
            }
        }
    }
}
