package io.eunomia.engine.config;

import java.net.InetSocketAddress;

/**
 * An address to listen on or connect to as the user writes it (--metrics-address, metrics.address,
 * --control-listen, ctl --url): {@code HOST:PORT}, {@code [IPv6]:PORT}, or {@code :PORT} for every
 * address (only when asked for: the options default to 127.0.0.1). Port 0: any free port.
 */
public final class ListenAddress {
    private static final String FORMS = "e.g. 127.0.0.1:9464 (loopback, the default), 0.0.0.0:9464 or :9464 (every address), "
            + "[::1]:9464 (an IPv6 address in brackets); port 0: any free port";

    private ListenAddress() {}

    /** As {@link #parse(String)}, the error naming the option (for callers that do not name it themselves). */
    public static InetSocketAddress parse(String option, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException saying what is wrong and what a valid address looks like */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (colon < 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT; " + FORMS);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 address goes in brackets, [ADDRESS]:PORT; " + FORMS);
        }
        int p = Integer.parseInt(port);
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(p) : new InetSocketAddress(host, p);
        if (address.isUnresolved()) {
            // Said here, at the option, rather than as a bind or connect failure later.
            throw new IllegalArgumentException("'" + text + "': no address is known for the host '" + host + "'; " + FORMS);
        }
        return address;
    }
}
