package io.eunomia.bpf;

/**
 * The host cannot run a sensor: not root, no BTF, no libbpf, a missing hook. An expected
 * condition with a message that says what is missing and what to do; no stack trace needed.
 */
public final class SensorUnavailableException extends RuntimeException {
    public SensorUnavailableException(String message) {
        super(message);
    }

    public SensorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
