package io.eunomia.engine.cli;

import io.eunomia.bpf.container.ContainerRegistry;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** The containers running now: one process per mount namespace outside the host's, resolved as events are. */
final class RunningContainers {
    private RunningContainers() {}

    /** By mount namespace, in process order. */
    static Map<Long, ContainerInfo> of(ContainerRegistry registry) {
        Map<Long, ContainerInfo> out = new LinkedHashMap<>();
        for (var p : ProcessHandle.allProcesses().toList()) {
            long mntns = Namespaces.mountNamespace(p.pid()).orElse(-1);
            if (mntns > 0 && !registry.isHostNamespace(mntns) && !out.containsKey(mntns)) {
                registry.resolver().resolve((int) p.pid(), mntns).ifPresent(c -> out.put(mntns, c));
            }
        }
        return out;
    }
}
