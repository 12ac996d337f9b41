package io.eunomia.engine;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The one logging set-up: code logs through {@link System.Logger}; the JDK routes it to
 * java.util.logging, which prints one line per record on stderr ("eunomia: WARNING: ...").
 * EUNOMIA_LOG=debug|info|warning|error picks the level (default info). Every main that runs
 * the engine's code calls {@link #configure()} first (the CLI, the benchmark harness).
 */
public final class Logging {
    /**
     * Drools reports its own progress ("Start creation of KieBase") and advice that does not
     * apply to generated rules (package vs folder names); we report compile errors ourselves.
     * Held in fields: java.util.logging keeps loggers only weakly.
     */
    private static final Logger DROOLS = Logger.getLogger("org.drools");
    private static final Logger KIE = Logger.getLogger("org.kie");
    /** The rule build logs every error it returns as SEVERE too: the compiler reports them once, with file:line. */
    private static final Logger DROOLS_BUILD = Logger.getLogger("org.drools.compiler.kie.builder.impl");

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
        if (level.intValue() > Level.FINE.intValue()) {
            DROOLS.setLevel(Level.SEVERE);
            KIE.setLevel(Level.SEVERE);
            DROOLS_BUILD.setLevel(Level.OFF);
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
