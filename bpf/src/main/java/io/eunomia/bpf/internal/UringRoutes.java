package io.eunomia.bpf.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which sensor's ring handler takes the requests of each io_uring opcode, at submission and at
 * completion: uring_routes.h's lists (UringRoutesTest compares them). One handler per opcode and
 * tracepoint (the dispatcher's slot holds one program): checked when this class loads.
 */
final class UringRoutes {
    static final String SUBMIT = "tp_btf/io_uring_submit_req";
    static final String COMPLETE = "tp_btf/io_uring_complete";
    /** uring_routes.h: URING_OPCODE_SLOTS. */
    static final int SLOTS = 64;

    /** Opcodes by tracepoint section, by sensor object name. */
    private static final Map<String, Map<String, Set<Integer>>> ROUTES = Map.of(
            "file", Map.of(
                    SUBMIT, Set.of(18, 28, 55),
                    COMPLETE, Set.of(18, 28, 35, 36, 37, 38, 39, 55)),
            "net", Map.of(
                    SUBMIT, Set.of(9, 13, 16, 26, 45, 47, 48),
                    COMPLETE, Set.of(9, 13, 16, 26, 45, 47, 48, 56, 57)),
            "priv", Map.of(
                    SUBMIT, Set.of(41, 42),
                    COMPLETE, Set.of(41, 42)));

    static {
        for (String section : Set.of(SUBMIT, COMPLETE)) {
            Set<Integer> seen = new java.util.HashSet<>();
            ROUTES.values().forEach(bySection -> bySection.getOrDefault(section, Set.of()).forEach(op -> {
                if (op < 0 || op >= SLOTS || !seen.add(op)) {
                    throw new IllegalStateException("io_uring opcode " + op + " at " + section
                            + " is out of the dispatcher's slots or routed to two sensors");
                }
            }));
        }
    }

    private UringRoutes() {
    }

    /** The opcodes a sensor object's handler on a tracepoint takes, if it has a route there. */
    static Optional<Set<Integer>> opcodes(String objectName, String section) {
        return Optional.ofNullable(ROUTES.getOrDefault(objectName, Map.of()).get(section));
    }

    /** Every route: sensor object → tracepoint section → opcodes. */
    static Map<String, Map<String, Set<Integer>>> all() {
        return ROUTES;
    }
}
