package io.eunomia.engine.internal;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The one logging set-up: code logs through {@link System.Logger}; the JDK routes it to
 * java.util.logging, which prints one line per record on stderr ("eunomia: WARNING: ...").
 * EUNOMIA_LOG=debug|info|warning|error picks the level (default info).
 */
public final class Logging {
    private Logging() {}

    public static void configure() {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        Level level = level(System.getenv("EUNOMIA_LOG"));
        handler.setLevel(level);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String prefix = r.getLevel().intValue() >= Level.WARNING.intValue() ? r.getLevel().getName() + ": " : "";
                String thrown = r.getThrown() == null ? "" : " (" + r.getThrown() + ")";
                return "eunomia: " + prefix + formatMessage(r) + thrown + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(level);
        // Drools and KIE chatter (package/folder advice, "Start creation of KieBase") is noise for
        // users; their real problems reach us as compile errors or exceptions.
        for (String noisy : new String[] {"org.drools", "org.kie"}) {
            Logger.getLogger(noisy).setLevel(level == Level.FINE ? Level.FINE : Level.SEVERE);
        }
    }

    private static Level level(String name) {
        if (name == null) {
            return Level.INFO;
        }
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "debug" -> Level.FINE;
            case "warning", "warn" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> Level.INFO;
        };
    }
}
