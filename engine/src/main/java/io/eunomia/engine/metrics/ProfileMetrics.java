package io.eunomia.engine.metrics;

import io.eunomia.enforcer.kernel.ProfileEnforcer;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ViolationKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code eunomia_profile_violations_total{container,kind}}: violations of learned profiles, by
 * container name and kind (syscall, exec, cap), counted in the kernel, reported or suppressed by
 * its rate limit. A container's series start at 0 when it gets its profile, so Prometheus'
 * increase() sees the first violation.
 */
public final class ProfileMetrics {
    private final MeterRegistry registry;
    private volatile ProfileEnforcer enforcer;
    private final java.util.Set<String> containers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ProfileMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The enforcer whose counts the series show (set once it has started). */
    public void bind(ProfileEnforcer e) {
        this.enforcer = e;
        FunctionCounter.builder("eunomia.profile.unrecorded", e, ProfileEnforcer::unrecorded)
                .description("Uses and execs of containers not yet classified that the kernel could not record "
                        + "(map or ring full): their early violations may go unreported")
                .register(registry);
    }

    /** A container got its profile: its series exist from now on. */
    public void watching(ContainerInfo c) {
        register(c.name());
    }

    /** Series for the containers the profiles name, before they start (Prometheus then sees their first violation). */
    public void preregister(java.util.List<io.eunomia.enforcer.kernel.ProfileTarget> targets) {
        targets.forEach(t -> t.containerName().ifPresent(this::register));
    }

    private void register(String name) {
        if (!containers.add(name)) {
            return; // a container of that name had its series already (a restart)
        }
        for (ViolationKind kind : ViolationKind.values()) {
            FunctionCounter.builder("eunomia.profile.violations", this, m -> m.count(name, kind))
                    .description("Violations of learned profiles, by container and kind, reported or suppressed")
                    .tags("container", name, "kind", kind.cliName())
                    .register(registry);
        }
    }

    private double count(String container, ViolationKind kind) {
        ProfileEnforcer e = enforcer;
        return e == null ? 0 : e.violations(container, kind);
    }
}
