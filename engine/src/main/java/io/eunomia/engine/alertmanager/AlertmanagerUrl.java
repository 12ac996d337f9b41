package io.eunomia.engine.alertmanager;

import java.net.URI;
import java.net.URISyntaxException;

/** An Alertmanager's base URL as written by the user: http(s)://HOST[:PORT][/PATH]. */
public final class AlertmanagerUrl {
    private AlertmanagerUrl() {}

    /** @throws IllegalArgumentException saying what a valid URL looks like */
    public static URI parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' is not an http(s) URL; e.g. http://127.0.0.1:9093");
        }
        return uri;
    }
}
