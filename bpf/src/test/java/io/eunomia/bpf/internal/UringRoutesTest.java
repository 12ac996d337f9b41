package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java routes are uring_routes.h's (the bench tool plugs handlers from the header, the monitor from Java). */
class UringRoutesTest {
    /** A route list: the macro's name, then its X(opcode, sensor) items over continued lines. */
    private static final Pattern LIST = Pattern.compile("#define URING_(SUBMIT|COMPLETE)_ROUTES\\(X\\)((?:[^\n]*\\\\\n)*[^\n]*)");
    private static final Pattern ITEM = Pattern.compile("X\\((\\d+), (\\w+)\\)");

    @Test
    void theJavaRoutesAreTheHeadersRoutes() throws Exception {
        String header = Files.readString(Path.of("src/main/bpf/uring_routes.h"));
        Map<String, Map<String, Set<Integer>>> fromHeader = new HashMap<>();
        Matcher m = LIST.matcher(header);
        while (m.find()) {
            String section = m.group(1).equals("SUBMIT") ? UringRoutes.SUBMIT : UringRoutes.COMPLETE;
            Matcher item = ITEM.matcher(m.group(2));
            while (item.find()) {
                fromHeader.computeIfAbsent(item.group(2), k -> new HashMap<>())
                        .computeIfAbsent(section, k -> new HashSet<>()).add(Integer.valueOf(item.group(1)));
            }
        }
        assertThat(fromHeader).as("uring_routes.h").isEqualTo(UringRoutes.all());
        assertThat(header).contains("#define URING_OPCODE_SLOTS " + UringRoutes.SLOTS);
    }
}
