package io.eunomia.engine.cli;

import sun.misc.Signal;

/**
 * SIGHUP as "reload", the daemon convention. Uses {@code sun.misc.Signal} from the jdk.unsupported
 * module: on JDK 25 it needs no flag and prints no warning (unlike jdk.internal.misc.Signal, which
 * needs --add-exports). Installing a handler replaces the JVM's default for HUP (shutdown).
 */
final class Hangup {
    private Hangup() {}

    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
