package io.eunomia.abi;

/** A bundled data table ({@code syscalls-*.tsv}, {@code capabilities.tsv}) is malformed. */
public final class TableFormatException extends RuntimeException {
    private final String resource;
    private final int line;

    public TableFormatException(String resource, int line, String message) {
        super(resource + ":" + line + ": " + message);
        this.resource = resource;
        this.line = line;
    }

    public String resource() {
        return resource;
    }

    /** 1-based line number in {@link #resource()}. */
    public int line() {
        return line;
    }
}
