package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.NetInterest;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The withers share one copy (SensorOptions#with): each must set its own component and keep every other. */
class SensorOptionsTest {
    private static final SensorOptions BASE = SensorOptions.of(Set.of(Sensor.PROCESS)).withCompat32(Compat32.AUTO);

    private record Case(String component, UnaryOperator<SensorOptions> change, Object expected) {}

    private static final List<Case> CASES = List.of(
            new Case("sensors", o -> o.withSensors(Set.of(Sensor.FILE)), Set.of(Sensor.FILE)),
            new Case("pid", o -> o.withPid(42), 42),
            new Case("mntns", o -> o.withMntns(4026531841L), 4026531841L),
            new Case("pathPrefixes", o -> o.withPathPrefixes(List.of("/etc")), List.of("/etc")),
            new Case("readPrefixes", o -> o.withReadPrefixes(Optional.of(List.of("/srv"))), Optional.of(List.of("/srv"))),
            new Case("missPrefixes", o -> o.withMissPrefixes(Optional.of(List.of("/opt"))), Optional.of(List.of("/opt"))),
            new Case("timesPrefixes", o -> o.withTimesPrefixes(Optional.of(List.of("/etc/"))), Optional.of(List.of("/etc/"))),
            new Case("netInterest", o -> o.withNetInterest(NetInterest.NONE), NetInterest.NONE),
            new Case("containers", o -> o.withContainers(new ContainerSources(List.of(), List.of())),
                    new ContainerSources(List.of(), List.of())),
            new Case("moduleFallback", o -> o.withModuleFallback(true), true),
            new Case("ringBufferBytes", o -> o.withRingBufferBytes(1 << 16), 1 << 16),
            new Case("mapEntries", o -> o.withMapEntries("cap_usage", 7), Map.of("cap_usage", 7)),
            new Case("compat32", o -> o.withCompatCalls(true), Compat32.ON));

    @Test
    void everyWitherSetsItsComponentAndKeepsTheOthers() throws ReflectiveOperationException {
        Set<String> covered = new HashSet<>();
        for (Case c : CASES) {
            SensorOptions changed = c.change().apply(BASE);
            for (RecordComponent rc : SensorOptions.class.getRecordComponents()) {
                Object now = rc.getAccessor().invoke(changed);
                Object before = rc.getAccessor().invoke(BASE);
                if (rc.getName().equals(c.component())) {
                    assertThat(now).as(c.component()).isEqualTo(c.expected()).isNotEqualTo(before);
                } else {
                    assertThat(now).as(rc.getName() + " after with " + c.component()).isEqualTo(before);
                }
            }
            covered.add(c.component());
        }
        // pollTimeoutMillis has no wither (set through the constructor): every other component has one.
        assertThat(covered).hasSize(SensorOptions.class.getRecordComponents().length - 1);
    }

    @Test
    void aWitherKeepsTheConstructorsChecks() {
        assertThatThrownBy(() -> BASE.withRingBufferBytes(5000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> BASE.withMissPrefixes(Optional.of(List.of("relative"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.withSensors(Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no sensor");
    }
}
