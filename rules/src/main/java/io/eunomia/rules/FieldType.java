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
    STRINGS("list of strings");

    private final String label;

    FieldType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
