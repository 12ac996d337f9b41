package io.eunomia.engine.cli;

import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.LiveNamespace;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import java.util.ArrayList;
import java.util.List;

/** The containers running now: one process per mount namespace outside the host's, resolved as events are. */
final class RunningContainers {
    private RunningContainers() {}

    /** A running container and the namespace (number and id) it runs in. */
    record Running(LiveNamespace namespace, ContainerInfo container) {
        /** Whether a namespace seen in events is this one: by id where the kernel tells ids (a number is reused). */
        boolean runsIn(long mntns, long mntnsId) {
            return namespace.mntns() == mntns && (namespace.mntnsId() == 0 || mntnsId == 0 || namespace.mntnsId() == mntnsId);
        }
    }

    /** In process order. */
    static List<Running> of(ContainerAttribution registry) {
        List<Running> out = new ArrayList<>();
        for (LiveNamespace ns : Namespaces.live()) {
            if (!registry.isHostNamespace(ns.mntns())) {
                // By number and id: the process must still be in the namespace the scan saw.
                registry.resolver().resolveLive(ns.pid(), ns.mntns(), ns.mntnsId())
                        .ifPresent(c -> out.add(new Running(ns, c)));
            }
        }
        return out;
    }
}
