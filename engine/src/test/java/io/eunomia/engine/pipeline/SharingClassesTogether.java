package io.eunomia.engine.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The test classes in their given order, but those marked {@link SharesLiveMonitor} with one
 * configuration one after the other where the first of them stands: each configuration's shared
 * monitor then starts and closes once a run ({@link SharedLiveMonitor}). Set in junit-platform.properties.
 */
public final class SharingClassesTogether implements ClassOrderer {
    @Override
    public void orderClasses(ClassOrdererContext context) {
        List<? extends ClassDescriptor> given = context.getClassDescriptors();
        Map<SharedLiveMonitor.Configuration, List<ClassDescriptor>> sharing = new LinkedHashMap<>();
        for (ClassDescriptor d : given) {
            configuration(d).ifPresent(c -> sharing.computeIfAbsent(c, k -> new ArrayList<>()).add(d));
        }
        if (sharing.isEmpty()) {
            return;
        }
        List<ClassDescriptor> ordered = new ArrayList<>(given.size());
        for (ClassDescriptor d : given) {
            Optional<SharedLiveMonitor.Configuration> c = configuration(d);
            if (c.isEmpty()) {
                ordered.add(d);
            } else if (d == sharing.get(c.get()).getFirst()) {
                ordered.addAll(sharing.get(c.get()));
            }
        }
        @SuppressWarnings("unchecked")
        List<ClassDescriptor> descriptors = (List<ClassDescriptor>) given;
        descriptors.clear();
        descriptors.addAll(ordered);
    }

    private static Optional<SharedLiveMonitor.Configuration> configuration(ClassDescriptor d) {
        return d.findAnnotation(SharesLiveMonitor.class).map(SharesLiveMonitor::value);
    }
}
