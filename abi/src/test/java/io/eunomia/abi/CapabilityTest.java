package io.eunomia.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CapabilityTest {
    private static final Path HEADER = Path.of("/usr/include/linux/capability.h");

    private static Map<String, Integer> ours() {
        Map<String, Integer> ours = new LinkedHashMap<>();
        for (Capability c : Capability.values()) {
            ours.put(c.capName(), c.number());
        }
        return ours;
    }

    @Test
    void matchesKernelHeader() throws IOException {
        Map<String, Integer> header = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(CAP_[A-Z0-9_]+)\\s+(\\d+)\\s*$").matcher(Files.readString(HEADER));
        while (m.find()) {
            header.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertThat(ours()).containsExactlyEntriesOf(header);
        assertThat(Capability.values()).hasSize(41);
    }

    @Test
    void matchesGeneratedTable() {
        Map<String, Integer> table = new LinkedHashMap<>();
        Tsv.readResource("capabilities.tsv", Pattern.compile("CAP_[A-Z0-9_]+"), 63)
                .forEach(row -> table.put(row.name(), row.number()));
        assertThat(ours()).containsExactlyEntriesOf(table);
    }

    @Test
    void runningKernelHasNoCapabilityWeLack() throws IOException {
        Path lastCap = Path.of("/proc/sys/kernel/cap_last_cap");
        int last = Integer.parseInt(Files.readString(lastCap).strip());
        assertThat(last).as("%s: a capability newer than CAP_CHECKPOINT_RESTORE", lastCap)
                .isLessThanOrEqualTo(Capability.CHECKPOINT_RESTORE.number());
    }

    @Test
    void matchesCapshDecode() {
        Path capsh = Tools.require("capsh", "apt-get install libcap2-bin");
        long all = (1L << Capability.values().length) - 1;
        String out = Tools.run(List.of(capsh.toString(), "--decode=0x" + Long.toHexString(all)));
        // "0x000001ffffffffff=cap_chown,cap_dac_override,..."
        List<String> decoded = List.of(out.substring(out.indexOf('=') + 1).split(","));
        assertThat(decoded).containsExactlyElementsOf(
                Arrays.stream(Capability.values()).map(c -> c.capName().toLowerCase(Locale.ROOT)).toList());
    }

    @Test
    void namesAndParsingRoundTrip() {
        for (Capability c : Capability.values()) {
            assertThat(Capability.of(c.number())).contains(c);
            assertThat(c.capName()).isEqualTo("CAP_" + c.shortName().toUpperCase(Locale.ROOT));
            for (String form : List.of(c.capName(), c.shortName(), c.name(), c.capName().toLowerCase(Locale.ROOT),
                    " " + c.shortName().toUpperCase(Locale.ROOT) + "\t")) {
                assertThat(Capability.parse(form)).as(form).contains(c);
            }
        }
        assertThat(Capability.SYS_ADMIN.number()).isEqualTo(21);
        assertThat(Capability.SYS_ADMIN.capName()).isEqualTo("CAP_SYS_ADMIN");
        assertThat(Capability.SYS_ADMIN.shortName()).isEqualTo("sys_admin");
        assertThat(Capability.parse("Cap_Sys_Admin")).contains(Capability.SYS_ADMIN);
    }

    @Test
    void rejectsWhatIsNotACapability() {
        for (String bad : new String[] {null, "", "CAP_", "cap_cap_chown", "ALL", "21", "sys-admin", "CAP_TRUST"}) {
            assertThat(Capability.parse(bad)).as(String.valueOf(bad)).isEmpty();
        }
        assertThat(Capability.of(-1)).isEmpty();
        assertThat(Capability.of(41)).isEmpty();
    }
}
