package io.eunomia.engine.control.internal;

import io.eunomia.engine.control.ControlException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request and its response on a byte channel (a unix or TCP socket): what
 * {@code curl --unix-socket} and the {@code eunomia ctl} client send, and a Prometheus scrape of
 * {@code /metrics}. Only what the control API needs: a request line, headers, a Content-Length body; one request per connection (the response
 * says {@code Connection: close}). Sizes are bounded: a peer cannot make us buffer more than
 * {@link #MAX_HEAD} + {@link #MAX_BODY} bytes.
 */
public final class HttpExchange {
    static final int MAX_HEAD = 8 * 1024;
    static final int MAX_BODY = 64 * 1024;

    /**
     * @param method  GET, POST, ...
     * @param path    the path without the query, percent-decoding not applied (our paths are plain)
     * @param query   the query parameters (last one wins)
     * @param headers header names lower-cased
     */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private HttpExchange() {}

    /**
     * @throws ControlException a request that is not one we can read: answered with its status, nothing else is done
     */
    public static Request read(ReadableByteChannel channel) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        ByteBuffer one = ByteBuffer.allocate(1024);
        byte[] rest = null;
        while (rest == null) {
            one.clear();
            int n = channel.read(one);
            if (n < 0) {
                throw new ControlException(400, "the connection ended inside the request head");
            }
            head.write(one.array(), 0, n);
            byte[] sofar = head.toByteArray();
            int end = indexOf(sofar, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end > MAX_HEAD || (end < 0 && sofar.length > MAX_HEAD)) {
                throw new ControlException(431, "request head larger than " + MAX_HEAD + " bytes");
            }
            if (end >= 0) {
                rest = java.util.Arrays.copyOfRange(sofar, end + 4, sofar.length);
                head.reset();
                head.write(sofar, 0, end);
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.") || !requestLine[1].startsWith("/")) {
            throw new ControlException(400, "not an HTTP/1.x request line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new ControlException(400, "not a header: " + lines[i]);
            }
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new ControlException(411, "send the body with Content-Length, not chunked");
        }
        int length;
        try {
            length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        } catch (NumberFormatException e) {
            throw new ControlException(400, "Content-Length is not a number");
        }
        if (length < 0 || length > MAX_BODY) {
            throw new ControlException(413, "body larger than " + MAX_BODY + " bytes");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        body.put(rest, 0, Math.min(rest.length, length));
        while (body.hasRemaining()) {
            if (channel.read(body) < 0) {
                throw new ControlException(400, "the connection ended inside the body");
            }
        }
        String target = requestLine[1];
        int q = target.indexOf('?');
        return new Request(requestLine[0], q < 0 ? target : target.substring(0, q),
                q < 0 ? Map.of() : query(target.substring(q + 1)), headers, body.array());
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    /** Writes a complete response; {@code extraHeaders} are "Name: value" lines. */
    public static void write(WritableByteChannel channel, int status, String contentType, byte[] body, String... extraHeaders)
            throws IOException {
        StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\nContent-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: close\r\n");
        for (String h : extraHeaders) {
            head.append(h).append("\r\n");
        }
        head.append("\r\n");
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.toString().getBytes(StandardCharsets.ISO_8859_1)).put(body).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
