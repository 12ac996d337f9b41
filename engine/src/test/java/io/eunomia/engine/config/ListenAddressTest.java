package io.eunomia.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The one HOST:PORT parser of --metrics-address, metrics.address, --control-listen and ctl --url. */
class ListenAddressTest {
    @Test
    void hostAndPortIpv6InBracketsAndEveryAddress() {
        InetSocketAddress v4 = ListenAddress.parse("127.0.0.1:9464");
        assertThat(v4.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(v4.getPort()).isEqualTo(9464);
        InetSocketAddress v6 = ListenAddress.parse("--control-listen", "[::1]:0");
        assertThat(v6.getAddress().isLoopbackAddress()).isTrue();
        assertThat(v6.getAddress().getHostAddress()).contains(":");
        assertThat(v6.getPort()).isZero();
        InetSocketAddress every = ListenAddress.parse(":9464");
        assertThat(every.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(ListenAddress.parse("0.0.0.0:65535").getPort()).isEqualTo(65535);
    }

    @Test
    void aBadAddressSaysWhatIsWrongAndNamesTheOptionWhenAsked() {
        assertThatThrownBy(() -> ListenAddress.parse("9464"))
                .hasMessageStartingWith("'9464' is not HOST:PORT; e.g. 127.0.0.1:9464 (loopback, the default)");
        assertThatThrownBy(() -> ListenAddress.parse("--metrics-address", "127.0.0.1:99999"))
                .hasMessageStartingWith("--metrics-address: '127.0.0.1:99999' is not HOST:PORT");
        assertThatThrownBy(() -> ListenAddress.parse("--url", "127.0.0.1:http"))
                .hasMessageStartingWith("--url: '127.0.0.1:http' is not HOST:PORT");
        assertThatThrownBy(() -> ListenAddress.parse("--control-listen", "127.0.0.1:-1"))
                .hasMessageStartingWith("--control-listen: '127.0.0.1:-1' is not HOST:PORT");
        assertThatThrownBy(() -> ListenAddress.parse("--control-listen", "::1:9464"))
                .hasMessageStartingWith("--control-listen: '::1:9464': an IPv6 address goes in brackets, [ADDRESS]:PORT");
        assertThatThrownBy(() -> ListenAddress.parse("[::1:9464")).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> ListenAddress.parse("[]:9464")).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> ListenAddress.parse("--metrics-address", "no-such-host.invalid:9464"))
                .hasMessageStartingWith("--metrics-address: 'no-such-host.invalid:9464': no address is known for the host 'no-such-host.invalid'");
    }
}
