package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.event.EventType;
import io.eunomia.rules.FieldCatalog;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eunomia rules fields}: the field catalog conditions and outputs can use, and what each
 * is in DRL (the record accessor a hand-written rule uses for the same value).
 */
@Command(name = "fields", mixinStandardHelpOptions = true,
        description = "List the fields rule conditions and %%field outputs can use, with their types, event types and "
                + "DRL form (e.g. proc.name is process.comm of any event record).")
public final class RulesFieldsCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", converter = Converters.TextOrJson.class,
            description = "A table for people, or JSON. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws Exception {
        FieldCatalog catalog = FieldCatalog.standard();
        List<FieldCatalog.Field> fields = catalog.fields().stream()
                .sorted(Comparator.comparing(FieldCatalog.Field::name)).toList();
        if (format.equals("json")) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            for (FieldCatalog.Field f : fields) {
                ObjectNode n = arr.addObject();
                n.put("name", f.name());
                n.put("type", f.type().toString().toLowerCase(java.util.Locale.ROOT));
                ArrayNode types = n.putArray("eventTypes");
                f.eventTypes().stream().map(EventType::cliName).sorted().forEach(types::add);
                ObjectNode drl = n.putObject("drl");
                for (EventType t : sorted(f)) {
                    drl.put(t.cliName(), catalog.access(f.name(), t).orElseThrow().drl());
                }
                n.put("description", f.description());
            }
            System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
            return 0;
        }
        System.out.printf("%-22s %-8s %-22s %-34s %s%n", "FIELD", "TYPE", "EVENTS", "DRL", "DESCRIPTION");
        for (FieldCatalog.Field f : fields) {
            String types = f.eventTypes().size() == EventType.values().length ? "all"
                    : sorted(f).stream().map(EventType::cliName).collect(Collectors.joining(","));
            System.out.printf("%-22s %-8s %-22s %-34s %s%n", f.name(), f.type().toString().toLowerCase(java.util.Locale.ROOT),
                    types, drl(catalog, f), f.description());
        }
        return 0;
    }

    private static List<EventType> sorted(FieldCatalog.Field f) {
        return f.eventTypes().stream().sorted(Comparator.comparing(EventType::cliName)).toList();
    }

    /** The DRL form: one expression when every event type has the same, else "type: expr; ...". */
    private static String drl(FieldCatalog catalog, FieldCatalog.Field f) {
        Map<String, List<String>> byDrl = new LinkedHashMap<>();
        for (EventType t : sorted(f)) {
            byDrl.computeIfAbsent(catalog.access(f.name(), t).orElseThrow().drl(), k -> new java.util.ArrayList<>()).add(t.cliName());
        }
        return byDrl.size() == 1 ? byDrl.keySet().iterator().next() : byDrl.entrySet().stream()
                .map(e -> String.join(",", e.getValue()) + ": " + e.getKey()).collect(Collectors.joining("; "));
    }
}
