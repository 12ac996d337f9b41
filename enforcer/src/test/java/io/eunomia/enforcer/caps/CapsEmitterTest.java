package io.eunomia.enforcer.caps;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Capability;
import io.eunomia.enforcer.Golden;
import io.eunomia.enforcer.HandMadeProfiles;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapsEmitterTest {
    @Test
    void everyFormat() {
        CapabilitySet set = CapabilitySet.of(List.of(HandMadeProfiles.web()));
        assertThat(set.keep()).containsExactly(Capability.NET_BIND_SERVICE);
        assertThat(set.triedDenied()).containsExactly(Capability.SYS_ADMIN);
        assertThat(set.droppedFromDockerDefault()).hasSize(13);
        for (CapsFormat f : CapsFormat.values()) {
            Golden.assertMatches("caps-" + f.cliName() + (f == CapsFormat.OCI ? ".json" : f == CapsFormat.DOCKER ? ".txt"
                    : ".yaml"), CapsEmitter.emit(set, f));
        }
    }

    @Test
    void aNonRootWorkloadKeepsItsCapabilitiesThroughTheAmbientSet() {
        CapabilitySet set = new CapabilitySet(Set.of(Capability.NET_BIND_SERVICE), Set.of(), Set.of(1000));
        assertThat(CapsEmitter.emit(set, CapsFormat.OCI)).contains("\"ambient\"", "\"inheritable\"");
        CapabilitySet root = new CapabilitySet(Set.of(Capability.NET_BIND_SERVICE), Set.of(Capability.NET_BIND_SERVICE),
                Set.of(0));
        assertThat(CapsEmitter.emit(root, CapsFormat.OCI)).doesNotContain("ambient");
        assertThat(root.triedDenied()).isEmpty();   // granted once: kept, not listed as refused
    }
}
