package io.eunomia.event;

/** A socket's type (SOCK_* of socket(2)). */
public enum SocketType {
    STREAM(1), DGRAM(2), RAW(3), RDM(4), SEQPACKET(5), PACKET(10), UNKNOWN(0);

    private final int code;

    SocketType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static SocketType ofCode(int code) {
        for (SocketType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
