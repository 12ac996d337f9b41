package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A recorded live run replayed through the default pack with `eunomia rules test`, as a user's CI
 * would: kernel module load attempts (recorded with the module fallback, since this kernel has no
 * module support), a refused setuid(0) and a denied /etc/shadow open by nobody, a setuid(0) by nobody
 * holding CAP_SETUID, next to look-alikes (lsmod, root dropping to nobody, setuid to oneself, a
 * setuid-root program going back to root through its saved uid) that must raise nothing.
 */
class PrivilegeRulesReplayTest {
    private static Path resource(String name) throws Exception {
        return Path.of(PrivilegeRulesReplayTest.class.getResource("/rules-pack2/" + name).toURI());
    }

    @Test
    void recordedModuleAndSetuidAttemptsRaiseExactlyTheExpectedAlerts() throws Exception {
        Cli.Run r = Cli.run("rules", "test", "--events", resource("module-setuid.jsonl").toString(),
                "--expect", resource("module-setuid.expected.yaml").toString());
        String out = r.out();
        assertThat(r.exit()).as(out + r.err()).isZero();
        assertThat(out).contains("PASS: 44 events");
    }
}
