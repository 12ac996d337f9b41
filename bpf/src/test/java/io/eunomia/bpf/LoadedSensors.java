package io.eunomia.bpf;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real sensors for a test class, registered with
 * {@code @RegisterExtension static final LoadedSensors SENSORS = LoadedSensors.of(Sensor.FILE);}:
 * <ul>
 * <li>{@link #of}: loaded before the class's first test, closed after it (also when a test failed).
 * <li>{@link #shared}: loaded once per test run for every class that asks for the same sensors with
 * default options, attached while such a class runs and detached after it (so they cost no other
 * class anything per syscall), closed when the run ends. For classes that test what the sensors
 * report about processes of their own, each reading only events after its own act: a load is most
 * of such a class's time (the file sensor's verifier alone takes seconds). Not for a test of
 * loading, attaching, closing, load-time options or counters of the kernel's maps: those keep
 * their own load.
 * </ul>
 */
public final class LoadedSensors implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace SHARED = ExtensionContext.Namespace.create(LoadedSensors.class);

    private final Set<Sensor> kinds;
    private final boolean shared;
    private KernelSensors sensors;

    private LoadedSensors(Set<Sensor> kinds, boolean shared) {
        this.kinds = kinds;
        this.shared = shared;
    }

    /** Sensors of the class's own, closed after its last test. */
    public static LoadedSensors of(Sensor first, Sensor... rest) {
        return new LoadedSensors(EnumSet.of(first, rest), false);
    }

    /** Sensors shared with the other classes that ask for the same ones, attached only while this class runs. */
    public static LoadedSensors shared(Sensor first, Sensor... rest) {
        return new LoadedSensors(EnumSet.of(first, rest), true);
    }

    /** The class's sensors (loaded before its first test). */
    public KernelSensors get() {
        if (sensors == null) {
            throw new IllegalStateException("sensors not loaded: register LoadedSensors with @RegisterExtension on a static field");
        }
        return sensors;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!shared) {
            sensors = KernelSensors.start(options());
            return;
        }
        // The root context's store closes what it holds when the whole run ends.
        sensors = context.getRoot().getStore(SHARED)
                .getOrComputeIfAbsent(kinds, k -> new Run(KernelSensors.start(options())), Run.class).sensors();
        kinds.forEach(sensors::attach);  // false when this class is the first: start attached them
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (sensors == null) {
            return;
        }
        if (shared) {
            kinds.forEach(sensors::detach);
        } else {
            sensors.close();
        }
        sensors = null;
    }

    private SensorOptions options() {
        return SensorOptions.of(EnumSet.copyOf(kinds));
    }

    /** A shared set, closed by JUnit at the end of the run. */
    private record Run(KernelSensors sensors) implements AutoCloseable {
        @Override
        public void close() {
            sensors.close();
        }
    }
}
