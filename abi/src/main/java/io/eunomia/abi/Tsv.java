package io.eunomia.abi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the generated {@code name<TAB>number} tables; '#' lines are comments. Names and numbers must
 * be unique: a duplicate means a broken generator, and silently keeping one would mislabel syscalls.
 */
final class Tsv {
    /** One row and where it came from, for error messages. */
    record Row(String name, int number, int line) {}

    private Tsv() {}

    /** Reads a resource next to this class. */
    static List<Row> readResource(String resource, Pattern namePattern, int maxNumber) {
        try (InputStream in = Tsv.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + Tsv.class.getPackageName().replace('.', '/')
                        + "/" + resource + " is missing from the classpath");
            }
            return read(resource, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
                    namePattern, maxNumber);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    static List<Row> read(String source, BufferedReader reader, Pattern namePattern, int maxNumber)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        Map<String, Row> byName = new HashMap<>();
        Map<Integer, Row> byNumber = new HashMap<>();
        int lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length != 2) {
                throw new TableFormatException(source, lineNo, "expected NAME<TAB>NUMBER, got '" + line + "'");
            }
            String name = fields[0];
            if (!namePattern.matcher(name).matches()) {
                throw new TableFormatException(source, lineNo,
                        "name '" + name + "' does not match " + namePattern.pattern());
            }
            int number = parseNumber(source, lineNo, fields[1], maxNumber);
            Row row = new Row(name, number, lineNo);
            Row sameName = byName.putIfAbsent(name, row);
            if (sameName != null) {
                throw new TableFormatException(source, lineNo,
                        "duplicate name '" + name + "' (first on line " + sameName.line() + ")");
            }
            Row sameNumber = byNumber.putIfAbsent(number, row);
            if (sameNumber != null) {
                throw new TableFormatException(source, lineNo, "number " + number + " of '" + name
                        + "' is already '" + sameNumber.name() + "' (line " + sameNumber.line() + ")");
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new TableFormatException(source, lineNo, "no entries");
        }
        return List.copyOf(rows);
    }

    private static int parseNumber(String source, int lineNo, String text, int maxNumber) {
        try {
            int number = Integer.parseInt(text);
            if (number >= 0 && number <= maxNumber) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below with the line
        }
        throw new TableFormatException(source, lineNo, "number '" + text + "' is not in 0.." + maxNumber);
    }
}
