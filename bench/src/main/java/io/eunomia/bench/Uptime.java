package io.eunomia.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average, printed next to the figures (the machine is shared). */
final class Uptime {
    private Uptime() {}

    static String now() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return "load average " + f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "load average unknown (" + e.getMessage() + ")";
        }
    }
}
