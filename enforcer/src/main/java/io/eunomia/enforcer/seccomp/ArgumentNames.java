package io.eunomia.enforcer.seccomp;

import io.eunomia.profiler.ArgumentSpec;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Names for the argument values people meet most ("AF_INET (2)"), for describing generated rules. */
final class ArgumentNames {
    private static final Map<Long, String> FAMILIES = Map.ofEntries(Map.entry(1L, "AF_UNIX"), Map.entry(2L, "AF_INET"),
            Map.entry(10L, "AF_INET6"), Map.entry(16L, "AF_NETLINK"), Map.entry(17L, "AF_PACKET"),
            Map.entry(38L, "AF_ALG"), Map.entry(40L, "AF_VSOCK"), Map.entry(44L, "AF_XDP"));
    private static final Map<Long, String> TYPES = Map.of(1L, "SOCK_STREAM", 2L, "SOCK_DGRAM", 3L, "SOCK_RAW",
            4L, "SOCK_RDM", 5L, "SOCK_SEQPACKET", 10L, "SOCK_PACKET");

    private ArgumentNames() {
    }

    /** "AF_INET (2), AF_INET6 (10)" or "0x0" for flags. */
    static String describe(ArgumentSpec spec, Set<Long> values) {
        Map<Long, String> names = spec.equals(ArgumentSpec.SOCKET_FAMILY) ? FAMILIES
                : spec.equals(ArgumentSpec.SOCKET_TYPE) ? TYPES : Map.of();
        return values.stream().map(v -> names.containsKey(v) ? names.get(v) + " (" + v + ")" : "0x" + Long.toHexString(v))
                .collect(Collectors.joining(", "));
    }
}
