package io.eunomia.engine.output;

import io.eunomia.engine.UnavailableException;
import io.eunomia.engine.alertmanager.AlertmanagerOutput;
import io.eunomia.engine.alertmanager.AlertmanagerSender;
import io.eunomia.engine.internal.IoProblem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outputs a monitor sends alerts to, opened together and closed together: stdout, optionally a
 * rotated file (JSON lines, text or CSV), and every Alertmanager given.
 *
 * @param all          every output: where alerts go
 * @param alertmanager the Alertmanager output, when there is one (it has metrics of its own)
 */
public record MonitorOutputs(Outputs all, Optional<AlertmanagerOutput> alertmanager) {
    /**
     * @param file         also alerts to this file in fileFormat, rotated by filePolicy
     * @param alertExpiry  endsAt of pushed alerts, after the last occurrence
     */
    public record Spec(AlertFormat stdout, Optional<Path> file, AlertFormat fileFormat, RotatingFileWriter.Policy filePolicy,
                       List<URI> alertmanagers, Duration alertExpiry) {}

    /** @throws UnavailableException when the file cannot be opened for writing (nothing stays open then) */
    public static MonitorOutputs open(Spec spec) {
        List<AlertOutput> outs = new ArrayList<>();
        outs.add(StreamWriter.stdout(spec.stdout()));
        if (spec.file().isPresent()) {
            Path file = spec.file().get();
            try {
                outs.add(RotatingFileWriter.output(file, spec.fileFormat(), spec.filePolicy()));
            } catch (IOException e) {
                new Outputs(outs).close();
                throw new UnavailableException("cannot write alerts to " + file + ": " + IoProblem.describe(e)
                        + "; choose a writable --output-file (outputs.file.path)", e);
            }
        }
        AlertmanagerOutput am = null;
        if (!spec.alertmanagers().isEmpty()) {
            am = new AlertmanagerOutput(spec.alertmanagers(), spec.alertExpiry(), AlertmanagerSender.Settings.defaults());
            outs.add(am);
        }
        return new MonitorOutputs(new Outputs(outs), Optional.ofNullable(am));
    }

    /** The outputs that write from a queue of their own (their drops and failures are metrics). */
    public List<QueuedOutput> queues() {
        return all.outputs().stream().filter(o -> o instanceof QueuedOutput).map(o -> (QueuedOutput) o).toList();
    }
}
