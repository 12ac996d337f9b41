package io.eunomia.engine.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** {@code eunomia_build_info{version,java}} = 1, the Prometheus convention for build metadata. */
public final class BuildInfo implements MeterBinder {
    public static final String VERSION = "0.1.0";

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("eunomia.build.info", () -> 1)
                .description("Build information")
                .tags("version", VERSION, "java", Runtime.version().toString())
                .register(registry);
    }
}
