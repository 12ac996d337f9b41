package io.eunomia.engine.output;

import java.util.List;

/**
 * RFC 4180 records: fields separated by commas, records ended by CRLF; a field with a comma, a
 * double quote, CR or LF is enclosed in double quotes, its quotes doubled. A field keeps its
 * newlines (inside the quotes).
 *
 * <p>One change to the text: a field that a spreadsheet would read as a formula (it starts with
 * {@code = + - @}, tab or CR; OWASP "CSV injection") gets a leading apostrophe. Command lines and
 * file names are chosen by whoever we watch, and alert files are opened in spreadsheets by people
 * triaging an incident; {@code =HYPERLINK(...)} in a process name must stay text.
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
        if (readAsFormula(value)) {
            value = "'" + value;
        }
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

    static boolean readAsFormula(String value) {
        if (value.isEmpty()) {
            return false;
        }
        char c = value.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
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
