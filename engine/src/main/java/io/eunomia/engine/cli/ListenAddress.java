package io.eunomia.engine.cli;

import java.net.InetSocketAddress;

/** {@code 127.0.0.1:9464}, {@code [::1]:9464}, {@code :9464} (all addresses: only when asked for). */
final class ListenAddress {
    private ListenAddress() {}

    /** @throws IllegalArgumentException with a message naming what is wrong */
    static InetSocketAddress parse(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + " must be HOST:PORT, not '" + text + "'");
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " port must be a number: '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " port out of range: " + port);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
