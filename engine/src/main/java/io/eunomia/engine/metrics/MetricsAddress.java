package io.eunomia.engine.metrics;

import java.net.InetSocketAddress;

/** Where /metrics is served, as written by the user: HOST:PORT, [IPv6]:PORT, or :PORT for every address. */
public final class MetricsAddress {
    private MetricsAddress() {}

    /** @throws IllegalArgumentException saying what a valid address looks like */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (colon < 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT; e.g. 127.0.0.1:9464 (the default), "
                    + "0.0.0.0:9464 for a remote Prometheus, or port 0 for any free port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(Integer.parseInt(port)) : new InetSocketAddress(host, Integer.parseInt(port));
    }
}
