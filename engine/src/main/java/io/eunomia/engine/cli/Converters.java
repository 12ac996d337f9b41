package io.eunomia.engine.cli;

import io.eunomia.engine.alertmanager.AlertmanagerUrl;
import io.eunomia.engine.config.ListenAddress;
import io.eunomia.engine.output.AlertFormat;
import io.eunomia.event.EventType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked while the command line is parsed: a bad one is a usage error that names
 * the option and says what a good value looks like ("Invalid value for option '--pid': ...").
 */
final class Converters {
    private Converters() {}

    private static <T> T checked(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** text or json: the two forms of a command's own output (tables for people, JSON for machines). */
    static final class TextOrJson implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.toLowerCase(java.util.Locale.ROOT);
            if (!v.equals("text") && !v.equals("json")) {
                throw new TypeConversionException("'" + value + "' is not a format: use text or json");
            }
            return v;
        }
    }

    static final class Format implements ITypeConverter<AlertFormat> {
        @Override
        public AlertFormat convert(String value) {
            return checked(() -> AlertFormat.parse(value));
        }
    }

    /** 0 (off) or a duration (24h, 90m, ...). */
    static final class DurationOrZero implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String value) {
            return value.strip().matches("0+(\\.0*)?(ms|s|m|h)?") ? java.time.Duration.ZERO : DurationConverter.parse(value);
        }
    }

    static final class Metrics implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return checked(() -> ListenAddress.parse(value));
        }
    }

    /** auto, on or off: whether 32-bit calls are watched (--compat32). */
    static final class Compat32Mode implements ITypeConverter<io.eunomia.bpf.Compat32> {
        @Override
        public io.eunomia.bpf.Compat32 convert(String value) {
            try {
                return io.eunomia.bpf.Compat32.parse(value, "--compat32");
            } catch (IllegalArgumentException e) {
                // picocli names the option itself: "Invalid value for option '--compat32': 'maybe' is not ..."
                throw new TypeConversionException("'" + value + "' is not one of auto, on, off");
            }
        }
    }

    /** The shared ring buffer's size in MiB: a power of two within {@link io.eunomia.engine.config.RingSize}'s bounds. */
    static final class RingMib implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return checked(() -> io.eunomia.engine.config.RingSize.parse(value));
        }
    }

    static final class Alertmanager implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            return checked(() -> AlertmanagerUrl.parse(value));
        }
    }

    static final class Event implements ITypeConverter<EventType> {
        @Override
        public EventType convert(String value) {
            return EventType.parse(value).orElseThrow(() -> new TypeConversionException("unknown event type '" + value
                    + "'; expected one of " + Arrays.stream(EventType.values()).map(EventType::cliName)
                    .collect(Collectors.joining(", "))));
        }
    }

    /** A time span in seconds, more than 0. */
    static final class Seconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return seconds(value, false);
        }
    }

    /** A time span in seconds, 0 or more (0 turns the feature off). */
    static final class SecondsOrZero implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return seconds(value, true);
        }
    }

    /** A count above 0. */
    static final class Positive implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return whole(value, 1, Long.MAX_VALUE, "above 0");
        }
    }

    /** A count, 0 or more. */
    static final class PositiveOrZero implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) whole(value, 0, Integer.MAX_VALUE, "0 or more");
        }
    }

    private static double seconds(String value, boolean zeroAllowed) {
        double d = number(value);
        if (!(zeroAllowed ? d >= 0 : d > 0) || Double.isInfinite(d)) {
            throw new TypeConversionException("'" + value + "' is not a number of seconds"
                    + (zeroAllowed ? ", 0 or more, e.g. 10" : " above 0, e.g. 10 or 0.5"));
        }
        return d;
    }

    private static long whole(String value, long min, long max, String range) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) {
            throw new TypeConversionException("'" + value + "' is not a whole number " + range);
        }
        return n;
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number");
        }
    }
}
