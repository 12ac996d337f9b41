package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Address text forms of the network sensor's decoder (no kernel needed). */
class NetRecordsTest {
    @Test
    void ipv6FollowsRfc5952() throws Exception {
        assertThat(v6("::1")).isEqualTo("::1");
        assertThat(v6("::")).isEqualTo("::");
        assertThat(v6("2001:0DB8:0000:0000:0000:0000:0000:0001")).isEqualTo("2001:db8::1");
        // The longest zero run is compressed, the first of equal runs, and never a single group.
        assertThat(v6("1:0:0:1:0:0:0:1")).isEqualTo("1:0:0:1::1");
        assertThat(v6("1:0:0:1:1:0:0:1")).isEqualTo("1::1:1:0:0:1");
        assertThat(v6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(v6("fe80::")).isEqualTo("fe80::");
    }

    @Test
    void ipv4MappedIsShownAsIpv4() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = (byte) 200;
        assertThat(NetRecords.ipv6(mapped)).isEqualTo("10.0.0.200");
    }

    @Test
    void unixPathsAndAbstractNames() {
        assertThat(NetRecords.unixPath("/run/docker.sock\0".getBytes(StandardCharsets.UTF_8))).isEqualTo("/run/docker.sock");
        assertThat(NetRecords.unixPath("/tmp/x".getBytes(StandardCharsets.UTF_8))).isEqualTo("/tmp/x");
        assertThat(NetRecords.unixPath("\0name\0x".getBytes(StandardCharsets.UTF_8))).isEqualTo("@name@x");
        assertThat(NetRecords.unixPath(new byte[0])).isEmpty();
    }

    private static String v6(String text) throws Exception {
        return NetRecords.ipv6(InetAddress.getByName(text).getAddress());
    }
}
