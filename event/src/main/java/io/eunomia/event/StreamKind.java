package io.eunomia.event;

/** What a standard stream (stdin/stdout/stderr) of a new process is connected to. */
public enum StreamKind {
    NONE, FILE, PIPE, SOCKET, TTY, CHAR, OTHER;

    private static final StreamKind[] BY_CODE = values();

    /** Decodes enum stream_kind of events.h. */
    public static StreamKind ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : OTHER;
    }
}
