package io.eunomia.engine.metrics;

import io.eunomia.engine.UnavailableException;
import io.eunomia.engine.output.MonitorOutputs;
import io.eunomia.engine.pipeline.Monitor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/** A monitor's /metrics: the server, and every figure of the running monitor bound to its registry. */
public final class MonitorMetrics {
    private MonitorMetrics() {}

    /**
     * Starts serving the registry (before anything is bound to it: a taken port is found before the
     * rules are built and the sensors loaded).
     *
     * @throws UnavailableException when the address cannot be served (in use, not an address of this host)
     */
    public static MetricsServer serve(InetSocketAddress address, PrometheusMeterRegistry registry) {
        try {
            return MetricsServer.start(address, registry);
        } catch (IOException e) {
            String why = e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")
                    ? "the port is in use (another eunomia running?)"
                    : String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            throw new UnavailableException("cannot serve metrics on " + address.getHostString() + ":" + address.getPort()
                    + ": " + why + "; choose another --metrics-address (metrics.address), or --no-metrics", e);
        }
    }

    /**
     * Binds the figures of a running monitor.
     *
     * @param alerts the metered output the monitor sends alerts through (the counters of its rules,
     *               and of reloaded ones, start at 0)
     */
    public static void bind(PrometheusMeterRegistry registry, Monitor monitor, MonitorOutputs outputs, MeteredOutput alerts) {
        new SensorMetrics(monitor.sensors()).bindTo(registry);
        new PipelineMetrics(monitor.pipeline(), outputs.queues()).bindTo(registry);
        new BuildInfo().bindTo(registry);
        monitor.pipeline().onRules(alerts::preregister);
        outputs.alertmanager().ifPresent(am -> am.bindTo(registry));
    }
}
