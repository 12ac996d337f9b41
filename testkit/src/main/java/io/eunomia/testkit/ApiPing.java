package io.eunomia.testkit;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Engine API's {@code GET /_ping} (dockerd, podman's compat service) over a unix socket. */
final class ApiPing {
    private ApiPing() {}

    /** True when the socket answers 200 "OK" (plain HTTP/1.1). */
    static boolean ok(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder resp = new StringBuilder();
            while (ch.read(buf) >= 0) {
                buf.flip();
                resp.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
            return resp.toString().startsWith("HTTP/1.1 200") && resp.toString().endsWith("OK");
        } catch (IOException e) {
            return false;
        }
    }
}
