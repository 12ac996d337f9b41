package io.eunomia.engine.yaml;

/** A YAML file that cannot be used; the message is "file:line:column: what is wrong". */
public final class YamlException extends Exception {
    public YamlException(String message) {
        super(message);
    }
}
