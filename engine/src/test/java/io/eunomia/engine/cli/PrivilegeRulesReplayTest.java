package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream so = System.out;
        PrintStream se = System.err;
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("rules", "test", "--events", resource("module-setuid.jsonl").toString(),
                    "--expect", resource("module-setuid.expected.yaml").toString());
        } finally {
            System.setOut(so);
            System.setErr(se);
        }
        String out = o.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out + e.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out).contains("PASS: 44 events");
    }
}
