package io.eunomia.engine;

/**
 * Something the user pointed the engine at cannot be used: a metrics address already in use, an
 * output file that cannot be written. The message names it, says why and what to do instead.
 */
public class UnavailableException extends RuntimeException {
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
