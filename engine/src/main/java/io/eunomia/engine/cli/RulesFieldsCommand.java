package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.event.EventType;
import io.eunomia.rules.FieldCatalog;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eunomia rules fields}: the field catalog conditions and outputs can use. */
@Command(name = "fields", mixinStandardHelpOptions = true,
        description = "List the fields rule conditions and %%field outputs can use, with their types and event types.")
public final class RulesFieldsCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", converter = Converters.TextOrJson.class,
            description = "A table for people, or JSON. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws Exception {
        List<FieldCatalog.Field> fields = FieldCatalog.standard().fields().stream()
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
                n.put("description", f.description());
            }
            System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
            return 0;
        }
        for (FieldCatalog.Field f : fields) {
            String types = f.eventTypes().stream().map(EventType::cliName).sorted().collect(Collectors.joining(","));
            System.out.printf("%-22s %-8s %-34s %s%n", f.name(), f.type().toString().toLowerCase(java.util.Locale.ROOT),
                    types, f.description());
        }
        return 0;
    }
}
