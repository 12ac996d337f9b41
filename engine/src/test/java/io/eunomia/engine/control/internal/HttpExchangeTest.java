package io.eunomia.engine.control.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.engine.control.ControlException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests read from a real unix socket: what is read, and the bounds a peer cannot push past. */
class HttpExchangeTest {
    @TempDir
    Path dir;

    private HttpExchange.Request send(String raw) throws Exception {
        Path sock = dir.resolve("s" + System.nanoTime());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread writer = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                    ByteBuffer b = ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1));
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                    c.shutdownOutput();
                    c.read(ByteBuffer.allocate(1));   // until the reader closes
                } catch (Exception e) {
                    // the reader gave up early (a refused request): fine
                }
            });
            try (SocketChannel c = server.accept()) {
                return HttpExchange.read(c);
            } finally {
                writer.join(5000);
            }
        }
    }

    @Test
    void aRequestWithQueryHeadersAndBody() throws Exception {
        HttpExchange.Request r = send("POST /v1/profiles/web/mode?x=1&limit=5 HTTP/1.1\r\nHost: e\r\nContent-Length: 18\r\n"
                + "Authorization: Bearer abc\r\n\r\n{\"mode\":\"enforce\"}");
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/profiles/web/mode");
        assertThat(r.query()).containsEntry("limit", "5").containsEntry("x", "1");
        assertThat(r.header("AUTHORIZATION")).isEqualTo("Bearer abc");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"mode\":\"enforce\"}");
    }

    @Test
    void boundsAndUnsupportedFormsAreRefusedWithTheirStatus() {
        assertThatThrownBy(() -> send("GET /" + "a".repeat(HttpExchange.MAX_HEAD + 10) + " HTTP/1.1\r\n\r\n"))
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(431));
        assertThatThrownBy(() -> send("POST / HTTP/1.1\r\nContent-Length: " + (HttpExchange.MAX_BODY + 1) + "\r\n\r\n"))
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(413));
        assertThatThrownBy(() -> send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(411));
        assertThatThrownBy(() -> send("hello\r\n\r\n"))
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> send("GET / HTTP/1.1\r\nHost: e\r\n"))   // the peer stops inside the head
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
