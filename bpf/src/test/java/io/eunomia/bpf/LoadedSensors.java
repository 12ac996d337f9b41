package io.eunomia.bpf;

import java.util.EnumSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real sensors loaded once for a test class and closed after it (also when a test failed):
 * {@code @RegisterExtension static final LoadedSensors SENSORS = LoadedSensors.of(Sensor.FILE);}
 */
final class LoadedSensors implements BeforeAllCallback, AfterAllCallback {
    private final SensorOptions options;
    private KernelSensors sensors;

    private LoadedSensors(SensorOptions options) {
        this.options = options;
    }

    static LoadedSensors of(Sensor first, Sensor... rest) {
        return new LoadedSensors(SensorOptions.of(EnumSet.of(first, rest)));
    }

    /** The class's sensors (loaded before its first test). */
    KernelSensors get() {
        if (sensors == null) {
            throw new IllegalStateException("sensors not loaded: register LoadedSensors with @RegisterExtension on a static field");
        }
        return sensors;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        sensors = KernelSensors.start(options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (sensors != null) {
            sensors.close();
            sensors = null;
        }
    }
}
