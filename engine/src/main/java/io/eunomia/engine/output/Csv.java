package io.eunomia.engine.output;

import java.util.List;

/**
 * RFC 4180 records: fields separated by commas, records ended by CRLF; a field with a comma, a
 * double quote, CR or LF is enclosed in double quotes, its quotes doubled. Nothing else is
 * changed: a field keeps its newlines (inside the quotes), so a reader gets back exactly what the
 * event said.
 */
final class Csv {
    static final String RECORD_END = "\r\n";

    private Csv() {}

    /** One record, with its CRLF. */
    static String record(List<String> fields) {
        StringBuilder out = new StringBuilder(64 * fields.size());
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            field(out, fields.get(i));
        }
        return out.append(RECORD_END).toString();
    }

    private static void field(StringBuilder out, String value) {
        if (!needsQuotes(value)) {
            out.append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                out.append('"');
            }
            out.append(c);
        }
        out.append('"');
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }
}
