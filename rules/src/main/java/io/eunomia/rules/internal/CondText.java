package io.eunomia.rules.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A condition's text, made of the scalars it was written in: the original and, after
 * {@code override: append}, each appended piece, joined by a space as Falco does. Offsets into
 * the joined text map back to the file each piece came from.
 */
public record CondText(List<YamlNode.Scalar> parts) {
    public CondText {
        parts = List.copyOf(parts);
    }

    public static CondText of(YamlNode.Scalar s) {
        return new CondText(List.of(s));
    }

    public CondText append(YamlNode.Scalar s) {
        List<YamlNode.Scalar> l = new ArrayList<>(parts);
        l.add(s);
        return new CondText(l);
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        for (YamlNode.Scalar s : parts) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(s.text());
        }
        return b.toString();
    }

    public Loc locate(int offset) {
        int start = 0;
        for (YamlNode.Scalar s : parts) {
            int end = start + s.text().length();
            if (offset <= end) {
                return s.at(offset - start);
            }
            start = end + 1;
        }
        YamlNode.Scalar last = parts.getLast();
        return last.at(last.text().length());
    }
}
