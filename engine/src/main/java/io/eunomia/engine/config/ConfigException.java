package io.eunomia.engine.config;

/** A configuration file that cannot be used: says file:line:column and what to change. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
