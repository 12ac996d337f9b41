package io.eunomia.engine.metrics;

import io.eunomia.engine.control.internal.HttpExchange;
import io.eunomia.engine.control.internal.LocalHttpListener;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Serves {@code GET /metrics} in the Prometheus text format. Binds to 127.0.0.1 unless told
 * otherwise: metrics describe the host's processes and should not be readable from the network by
 * default. Read-only: there is no control endpoint.
 *
 * <p>Its own small server ({@link LocalHttpListener}), not the JDK's {@code HttpServer}: that one's
 * dispatcher wakes every second ({@code select(1000)}) and its idle-timeout timer every 10 s, scraped
 * or not, which made it the largest share of an idle monitor's CPU (~0.06% of a CPU, bench/README.md).
 * One request per connection ({@code Connection: close}; Prometheus reconnects per scrape), each on
 * its own thread.
 */
public final class MetricsServer implements AutoCloseable {
    public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress("127.0.0.1", 9464);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** Scrapes served at once; more connections are refused with 503 (a scraper needs one). */
    static final int MAX_CONCURRENT = 4;
    /** A peer that connects and does not finish its request within this is dropped. */
    static final int READ_TIMEOUT_MILLIS = 10_000;

    private final LocalHttpListener listener;
    private final InetSocketAddress address;

    private MetricsServer(LocalHttpListener listener) throws IOException {
        this.listener = listener;
        this.address = (InetSocketAddress) listener.channel().getLocalAddress();
    }

    /** Starts serving; port 0 picks a free port (see {@link #address()}). */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry) throws IOException {
        return new MetricsServer(LocalHttpListener.start("eunomia-metrics", LocalHttpListener.bindTcp(address),
                new LocalHttpListener.Limits(MAX_CONCURRENT, Duration.ofMillis(READ_TIMEOUT_MILLIS),
                        "busy: " + MAX_CONCURRENT + " scrapes are being served; retry"), new Scrapes(registry)));
    }

    public InetSocketAddress address() {
        return address;
    }

    /** /metrics (GET, HEAD) and plain-text errors. */
    private record Scrapes(PrometheusMeterRegistry registry) implements LocalHttpListener.Service {
        @Override
        public void answer(SocketChannel c, HttpExchange.Request request) throws IOException {
            boolean head = request.method().equals("HEAD");
            if (!request.path().equals("/metrics")) {
                HttpExchange.write(c, 404, TEXT, bytes("only /metrics is served here\n"));
            } else if (!head && !request.method().equals("GET")) {
                HttpExchange.write(c, 405, TEXT, bytes("GET /metrics\n"), "Allow: GET, HEAD");
            } else {
                // HEAD: the headers alone (Content-Length 0: the scrape is not rendered for nothing)
                HttpExchange.write(c, 200, CONTENT_TYPE, head ? new byte[0] : bytes(registry.scrape()));
            }
        }

        @Override
        public void refuse(SocketChannel c, int status, String message) throws IOException {
            HttpExchange.write(c, status, TEXT, bytes(message + "\n"));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        listener.close();
    }
}
