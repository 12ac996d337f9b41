package io.eunomia.engine.alertmanager;

import java.time.Instant;
import java.util.Map;

/**
 * One alert in Alertmanager's API v2 shape ({@code POST /api/v2/alerts} takes a list of these).
 *
 * @param endsAt when Alertmanager should consider it resolved if not sent again
 */
public record AmAlert(Map<String, String> labels, Map<String, String> annotations, Instant startsAt, Instant endsAt,
                      String generatorUrl) {
    public AmAlert {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }
}
