package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.util.List;

/** Sends every alert to each of several outputs. */
public record Outputs(List<AlertOutput> outputs) implements AlertOutput {
    public Outputs {
        outputs = List.copyOf(outputs);
    }

    @Override
    public void emit(Alert alert) {
        for (AlertOutput o : outputs) {
            o.emit(alert);
        }
    }

    @Override
    public void close() {
        for (AlertOutput o : outputs) {
            o.close();
        }
    }
}
