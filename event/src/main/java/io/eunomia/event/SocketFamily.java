package io.eunomia.event;

/** Address families the network sensor decodes; others are {@code OTHER}. */
public enum SocketFamily {
    UNIX(1), INET(2), INET6(10), NETLINK(16), PACKET(17), OTHER(-1);

    private final int code;

    SocketFamily(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static SocketFamily ofCode(int code) {
        for (SocketFamily f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return OTHER;
    }
}
