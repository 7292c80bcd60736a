package digital.govuk.access.operator.cache;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;

/**
 * Shares the strings of an EngineerAccess's (or AccessPolicy's) spec and status between the objects in the cache.
 * Nearly all of them repeat across engineers: a status is mostly the same condition types, reasons and messages,
 * the same namespaces, role names and timestamps, and each binding's name is there once per namespace; a spec repeats
 * dates and approvers' names. Held once each, a cached EngineerAccess takes about half the heap (CacheFootprint).
 * <p>
 * Only the identity of strings changes, never a value, so nothing that reads or compares the object sees a
 * difference. The walk follows the fields of this project's API classes ({@code digital.govuk.access.api}), and the
 * lists and string maps in them; anything else is left as it is.
 */
final class SharedStrings {
    private static final String API = "digital.govuk.access.api.";
    private static final int DEPTH = 8;
    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = type; c != null && c.getName().startsWith(API); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    int m = f.getModifiers();
                    if (!Modifier.isStatic(m) && !Modifier.isFinal(m) && !f.getType().isPrimitive() && !f.getType().isEnum()) {
                        f.setAccessible(true);
                        out.add(f);
                    }
                }
            }
            return out.toArray(Field[]::new);
        }
    };

    private SharedStrings() {
    }

    /** Replaces each string reachable from {@code o} (one of our API objects) with the shared copy of it. */
    static void share(Object o) {
        share(o, 0);
    }

    private static void share(Object o, int depth) {
        if (o == null || depth > DEPTH || !o.getClass().getName().startsWith(API)) {
            return;
        }
        for (Field f : FIELDS.get(o.getClass())) {
            try {
                Object v = f.get(o);
                if (v instanceof String s) {
                    f.set(o, s.intern());
                } else {
                    shareIn(v, depth + 1);
                }
            } catch (IllegalAccessException | RuntimeException e) {
                // left as it is: sharing is only a saving
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void shareIn(Object v, int depth) {
        if (v instanceof List<?> list) {
            try {
                for (ListIterator<Object> it = ((List<Object>) list).listIterator(); it.hasNext();) {
                    Object item = it.next();
                    if (item instanceof String s) {
                        it.set(s.intern());
                    } else {
                        share(item, depth);
                    }
                }
            } catch (UnsupportedOperationException e) {
                // an unmodifiable list: left as it is
            }
        } else if (v instanceof Map<?, ?> map) {
            try {
                ((Map<Object, Object>) map).replaceAll((k, x) -> x instanceof String s ? s.intern() : x);
            } catch (UnsupportedOperationException e) {
                // an unmodifiable map: left as it is
            }
        } else {
            share(v, depth);
        }
    }
}
