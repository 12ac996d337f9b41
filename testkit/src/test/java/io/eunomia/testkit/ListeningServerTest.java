package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Alertmanager and Prometheus start on a port they bind themselves: a first port that someone else
 * holds (what a free port handed over may become meanwhile) ends in a running server on another one.
 */
class ListeningServerTest {

    @Test
    void alertmanagerStartsWhenItsFirstPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             AlertmanagerServer am = AlertmanagerServer.start("http://127.0.0.1:9/hook", taken.getLocalPort())) {
            int port = URI.create(am.url()).getPort();
            assertThat(port).isNotEqualTo(taken.getLocalPort()).isPositive();
            assertThat(am.ready()).as("alertmanager on " + am.url()).isTrue();
            // A restart keeps the port senders know.
            am.stopProcess();
            am.startProcess();
            assertThat(URI.create(am.url()).getPort()).isEqualTo(port);
            assertThat(am.ready()).isTrue();
        }
    }

    @Test
    void prometheusStartsWhenItsFirstPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             PrometheusServer prom = PrometheusServer.start("127.0.0.1:9", List.of(), "127.0.0.1:9", taken.getLocalPort())) {
            assertThat(URI.create(prom.url()).getPort()).isNotEqualTo(taken.getLocalPort()).isPositive();
            assertThat(prom.ready()).as("prometheus on " + prom.url()).isTrue();
            assertThat(prom.log()).contains("address already in use");
        }
    }

    @Test
    void withoutAFirstPortTheServerPicksAndReportsOne() {
        try (AlertmanagerServer am = AlertmanagerServer.start("http://127.0.0.1:9/hook")) {
            assertThat(URI.create(am.url()).getPort()).isPositive();
            assertThat(am.ready()).isTrue();
        }
    }
}
