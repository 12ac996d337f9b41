package io.eunomia.bpf;

import io.eunomia.event.NetInterest;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The sensors' kernel filters while the stream runs: the file sensor's read filter and the
 * network sensor's interest changed by a rule reload, and what each kept in the kernel. Not
 * thread-safe: KernelSensors serialises.
 */
final class FilterControls {
    /** A loaded sensor's object while its maps may be read; null when not loaded or the stream is closed. */
    private final Function<Sensor, BpfObject> readable;
    /** Likewise while they may be written: also null while a stuck poller may still use them. */
    private final Function<Sensor, BpfObject> writable;
    private final IdentityWatch identity;
    /** The net filter's setting now (a rule reload changes it): what a net sensor attached later starts with. */
    private NetInterest netInterest;
    /** The miss filter's setting now (a rule reload changes it): what a file sensor attached later starts with. */
    private Optional<List<String>> missPrefixes;
    /** The times filter's setting now, likewise. */
    private Optional<List<String>> timesPrefixes;
    private long readsFilteredAtStop;
    private long missesFilteredAtStop;
    private long timesFilteredAtStop;

    FilterControls(Function<Sensor, BpfObject> readable, Function<Sensor, BpfObject> writable, IdentityWatch identity,
                   NetInterest netInterest, Optional<List<String>> missPrefixes, Optional<List<String>> timesPrefixes) {
        this.readable = readable;
        this.writable = writable;
        this.identity = identity;
        this.netInterest = netInterest;
        this.missPrefixes = missPrefixes;
        this.timesPrefixes = timesPrefixes;
    }

    NetInterest netInterest() {
        return netInterest;
    }

    /** See {@link KernelSensors#updateReadPrefixes}. */
    void updateReadPrefixes(Optional<List<String>> prefixes) {
        BpfObject file = writable.apply(Sensor.FILE);
        if (file != null) {
            ReadFilterMaps.apply(file, prefixes);
            identity.watch(file, prefixes);
        }
    }

    /** See {@link KernelSensors#updateMissPrefixes}. */
    void updateMissPrefixes(Optional<List<String>> prefixes) {
        missPrefixes = checked(prefixes);
        writeFileFilter(file -> MissFilterMaps.apply(file, prefixes));
    }

    /** See {@link KernelSensors#updateTimesPrefixes}. */
    void updateTimesPrefixes(Optional<List<String>> prefixes) {
        timesPrefixes = checked(prefixes);
        writeFileFilter(file -> TimesFilterMaps.apply(file, prefixes));
    }

    /** Prefixes a file filter can hold: refused (IllegalArgumentException) before its setting changes. */
    private static Optional<List<String>> checked(Optional<List<String>> prefixes) {
        prefixes.ifPresent(io.eunomia.event.path.PathPrefixes::of);
        return prefixes;
    }

    /** Writes a file filter's maps when the file sensor is loaded (else it starts with the setting when attached). */
    private void writeFileFilter(java.util.function.Consumer<BpfObject> write) {
        BpfObject file = writable.apply(Sensor.FILE);
        if (file != null) {
            write.accept(file);
        }
    }

    /** Writes the miss and times filters' settings now into a file sensor's object before it attaches. */
    void configureFileFilters(BpfObject file) {
        MissFilterMaps.apply(file, missPrefixes);
        TimesFilterMaps.apply(file, timesPrefixes);
    }

    /** See {@link KernelSensors#updateNetInterest}. */
    void updateNetInterest(NetInterest interest) {
        netInterest = interest;
        BpfObject net = writable.apply(Sensor.NET);
        if (net != null) {
            NetFilterMap.apply(net, interest);
        }
    }

    /** See {@link KernelSensors#forgetReportedDestinations}. */
    void forgetReportedDestinations() {
        BpfObject net = writable.apply(Sensor.NET);
        if (net != null && net.isLoaded()) {
            BpfMap seen = net.map("dest_seen");
            seen.keys().forEach(seen::delete);
        }
    }

    long netEventsFiltered() {
        BpfObject net = readable.apply(Sensor.NET);
        return net == null || !net.isLoaded() ? 0 : NetFilterMap.skipped(net);
    }

    long unreportedDatagramDestinations() {
        BpfObject net = readable.apply(Sensor.NET);
        return net == null || !net.isLoaded() ? 0 : net.map("mmsg_unreported").sumPerCpuU64(0);
    }

    /** The read filter's count; once the file sensor is gone, the count {@link #freeze} read. */
    long readsFiltered() {
        BpfObject file = readable.apply(Sensor.FILE);
        if (file == null || !file.isLoaded()) {
            return readsFilteredAtStop;
        }
        return ReadFilterMaps.skipped(file);
    }

    /** The miss filter's count; once the file sensor is gone, the count {@link #freeze} read. */
    long missesFiltered() {
        BpfObject file = readable.apply(Sensor.FILE);
        if (file == null || !file.isLoaded()) {
            return missesFilteredAtStop;
        }
        return MissFilterMaps.skipped(file);
    }

    /** The times filter's count; once the file sensor is gone, the count {@link #freeze} read. */
    long timesFiltered() {
        BpfObject file = readable.apply(Sensor.FILE);
        if (file == null || !file.isLoaded()) {
            return timesFilteredAtStop;
        }
        return TimesFilterMaps.skipped(file);
    }

    /** Reads the counts one last time, when the stream stops. */
    void freeze() {
        readsFilteredAtStop = readsFiltered();
        missesFilteredAtStop = missesFiltered();
        timesFilteredAtStop = timesFiltered();
    }
}
