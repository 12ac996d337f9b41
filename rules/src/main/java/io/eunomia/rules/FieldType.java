package io.eunomia.rules;

/** Types of condition fields, which decide the operators and literals a comparison may use. */
public enum FieldType {
    /** Text; =, !=, in, contains, icontains, startswith, endswith, glob, pmatch, exists. */
    STRING("string"),
    /** A whole number (held as a long); =, !=, <, <=, >, >=, in, exists. */
    INT("int"),
    /** true or false; =, !=, exists. */
    BOOL("bool"),
    /** A list of strings (e.g. proc.argv); contains, icontains (any element), exists. */
    STRINGS("list of strings"),
    /**
     * Several texts, as Falco's proc.aname without an index (every ancestor's name): a comparison
     * holds when it holds for one of them; =, in, contains, icontains, startswith, endswith, glob,
     * pmatch (and != / not as their negation), exists.
     */
    ANY_STRING("any of several strings"),
    /** An IP address tested against networks ("10.0.0.0/8", or single addresses); =, !=, in, exists. */
    IPNET("ip network"),
    /**
     * An IP address compared with host names, as Falco's fd.sip.name: it equals a name when the
     * system resolver gives that name the address; =, !=, in, exists.
     */
    HOST_NAME("address, compared by host name");

    private final String label;

    FieldType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
