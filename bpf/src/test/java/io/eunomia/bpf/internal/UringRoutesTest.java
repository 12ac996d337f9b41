package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Java routes are uring_routes.h's (the bench tool plugs handlers from the header, the monitor from Java). */
class UringRoutesTest {
    private static final Pattern LIST = Pattern.compile("#define URING_(SUBMIT|COMPLETE)_([A-Z]+)_OPS ([0-9, ]+)");

    @Test
    void theJavaRoutesAreTheHeadersRoutes() throws Exception {
        String header = Files.readString(Path.of("src/main/bpf/uring_routes.h"));
        Map<String, Map<String, Set<Integer>>> fromHeader = new HashMap<>();
        Matcher m = LIST.matcher(header);
        while (m.find()) {
            String section = m.group(1).equals("SUBMIT") ? UringRoutes.SUBMIT : UringRoutes.COMPLETE;
            Set<Integer> ops = Arrays.stream(m.group(3).split(",")).map(String::strip).map(Integer::valueOf)
                    .collect(Collectors.toSet());
            fromHeader.computeIfAbsent(m.group(2).toLowerCase(), k -> new HashMap<>()).put(section, ops);
        }
        assertThat(fromHeader).as("uring_routes.h").isEqualTo(UringRoutes.all());
        assertThat(header).contains("#define URING_OPCODE_SLOTS " + UringRoutes.SLOTS);
    }
}
