package io.eunomia.engine.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The test classes in their given order, but those marked {@link SharesLiveMonitor} one after the
 * other where the first of them stands: the shared monitor then starts and closes once a run
 * ({@link SharedLiveMonitor}). Set in junit-platform.properties.
 */
public final class SharingClassesTogether implements ClassOrderer {
    @Override
    public void orderClasses(ClassOrdererContext context) {
        List<? extends ClassDescriptor> given = context.getClassDescriptors();
        List<ClassDescriptor> sharing = given.stream().filter(d -> d.isAnnotated(SharesLiveMonitor.class))
                .map(d -> (ClassDescriptor) d).toList();
        if (sharing.isEmpty()) {
            return;
        }
        List<ClassDescriptor> ordered = new ArrayList<>(given.size());
        for (ClassDescriptor d : given) {
            if (d == sharing.getFirst()) {
                ordered.addAll(sharing);
            } else if (!d.isAnnotated(SharesLiveMonitor.class)) {
                ordered.add(d);
            }
        }
        @SuppressWarnings("unchecked")
        List<ClassDescriptor> descriptors = (List<ClassDescriptor>) given;
        descriptors.clear();
        descriptors.addAll(ordered);
    }
}
