package io.eunomia.libbpf;

/**
 * A libbpf call failed. Names what was attempted on which object/program/map, the value libbpf
 * returned and the errno seen at that call; {@link #verifierLog()} holds the tail of the kernel
 * verifier log when a program was rejected.
 */
public class BpfException extends RuntimeException {
    private final String operation;
    private final String target;
    private final long returnValue;
    private final int errno;
    private final String verifierLog;

    public BpfException(String operation, String target, long returnValue, int errno, String verifierLog) {
        super(format(operation, target, returnValue, errno, verifierLog));
        this.operation = operation;
        this.target = target;
        this.returnValue = returnValue;
        this.errno = errno;
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    public BpfException(String operation, String target, long returnValue, int errno) {
        this(operation, target, returnValue, errno, null);
    }

    private static String format(String operation, String target, long rc, int errno, String log) {
        StringBuilder sb = new StringBuilder()
                .append(operation).append(" of ").append(target).append(" failed: libbpf returned ").append(rc)
                .append(", errno ").append(errno).append(' ').append(Errno.describe(errno));
        if (log != null && !log.isBlank()) {
            sb.append("\nverifier log (last lines):\n").append(log.strip());
        }
        return sb.toString();
    }

    public String operation() { return operation; }
    public String target() { return target; }
    public long returnValue() { return returnValue; }
    public int errno() { return errno; }
    public String verifierLog() { return verifierLog; }
}
