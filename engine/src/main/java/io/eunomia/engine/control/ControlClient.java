package io.eunomia.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The client side of the control API ({@code eunomia ctl}): one HTTP/1.1 request per connection,
 * over the unix socket or loopback TCP with a bearer token.
 */
public final class ControlClient {
    /** An answer: its status and JSON body. */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** The server's error message, or the body. */
        public String error() {
            JsonNode e = body.get("error");
            return e != null ? e.asText() : body.toString();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ANSWER = 16 << 20;

    private final ControlServer.Endpoint endpoint;

    public ControlClient(ControlServer.Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** @throws IOException when the monitor cannot be reached, or the answer is not HTTP with JSON */
    public Answer call(String method, String path, String jsonBody) throws IOException {
        byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: eunomia\r\n")
                .append("Accept: application/json\r\nConnection: close\r\nContent-Length: ").append(body.length).append("\r\n");
        if (body.length > 0) {
            req.append("Content-Type: application/json\r\n");
        }
        if (endpoint instanceof ControlServer.Endpoint.Tcp t) {
            req.append("Authorization: Bearer ").append(new String(t.token(), StandardCharsets.US_ASCII)).append("\r\n");
        }
        req.append("\r\n");
        try (SocketChannel c = open()) {
            ByteBuffer out = ByteBuffer.allocate(req.length() + body.length);
            out.put(req.toString().getBytes(StandardCharsets.ISO_8859_1)).put(body).flip();
            while (out.hasRemaining()) {
                c.write(out);
            }
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (c.read(buf) >= 0) {   // the server closes after its answer
                in.write(buf.array(), 0, buf.position());
                buf.clear();
                if (in.size() > MAX_ANSWER) {
                    throw new IOException("the answer is larger than " + MAX_ANSWER + " bytes");
                }
            }
            return parse(in.toByteArray());
        }
    }

    private SocketChannel open() throws IOException {
        return switch (endpoint) {
            case ControlServer.Endpoint.Unix u -> {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    c.connect(UnixDomainSocketAddress.of(u.socket()));
                } catch (IOException e) {
                    c.close();
                    throw new IOException("cannot reach the monitor on " + u.socket() + " (" + e.getMessage()
                            + "): is eunomia monitor running, and are you root?", e);
                }
                yield c;
            }
            case ControlServer.Endpoint.Tcp t -> {
                SocketChannel c = SocketChannel.open();
                try {
                    c.connect(t.address());
                } catch (IOException e) {
                    c.close();
                    InetSocketAddress a = t.address();
                    throw new IOException("cannot reach the monitor on " + a.getHostString() + ":" + a.getPort() + " ("
                            + e.getMessage() + "): is it running with --control-listen?", e);
                }
                yield c;
            }
        };
    }

    static Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.UTF_8);
        int headEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || headEnd < 0) {
            throw new IOException("not an HTTP answer: " + text.substring(0, Math.min(80, text.length())));
        }
        String[] statusLine = text.substring(0, text.indexOf("\r\n")).split(" ");
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (RuntimeException e) {
            throw new IOException("not an HTTP status line: " + statusLine[0]);
        }
        String body = text.substring(headEnd + 4);
        return new Answer(status, body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body));
    }
}
