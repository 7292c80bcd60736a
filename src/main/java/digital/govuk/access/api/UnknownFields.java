package digital.govuk.access.api;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Fields of an EngineerAccess or AccessPolicy that this version of the operator does not know: its CRD is newer
 * (a chart upgraded before the operator, or an operator rolled back). Reading such an object must not fail, or
 * one object would stop the operator's watch and with it every revocation. Instead the object is read without
 * those fields, and the fields are kept with it, so the rules can refuse that one object and name them.
 * <p>
 * The paths travel in an annotation whose key the API server would refuse ({@link #ANNOTATION}, with spaces), so
 * it can only come from this reader (or a copy of what it read: the caches copy objects by writing and reading
 * them again, and the annotation goes with the copy).
 */
public final class UnknownFields {
    /** Not a valid annotation key, on purpose: no object stored in a cluster can carry it. */
    public static final String ANNOTATION = "engineer access operator: unknown fields";
    /** What is wrong with such a field, in the words a status or a plan shows after its path. */
    public static final String MESSAGE = "this version does not know this field: the CRD is newer, so the operator (or this"
            + " command) must be upgraded";
    private static final ThreadLocal<Deque<Reading>> READING = ThreadLocal.withInitial(ArrayDeque::new);

    private UnknownFields() {
    }

    /** The unknown fields of an object read by a mapper with {@link #module()}, as paths (spec.team); empty when none. */
    public static List<String> of(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata() == null ? null : object.getMetadata().getAnnotations();
        String paths = annotations == null ? null : annotations.get(ANNOTATION);
        return paths == null || paths.isEmpty() ? List.of() : List.of(paths.split(","));
    }

    /**
     * A key as a path names it: a key with no name ("": 1) is written as the empty name quoted, so that a path never
     * leaves it out; the path of one at an object's top would otherwise be empty, which names nothing. {@code plan}'s
     * paths use the same rule.
     */
    public static String inPath(String key) {
        return key.isEmpty() ? "''" : key;
    }

    /** Lets {@code mapper} read EngineerAccess and AccessPolicy objects with unknown fields (see the class comment). */
    public static ObjectMapper register(ObjectMapper mapper) {
        return mapper.registerModule(module()).addHandler(new Skip());
    }

    /** One object being read: the parser's context at its start, and the unknown fields found in it. */
    private record Reading(JsonStreamContext root, List<String> paths) {
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("engineer-access-unknown-fields");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                Class<?> type = description.getBeanClass();
                return type == EngineerAccess.class || type == AccessPolicy.class ? new Collect(deserializer) : deserializer;
            }
        });
        return module;
    }

    /** Reads one of our objects, collecting its unknown fields into the annotation. */
    private static final class Collect extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;

        Collect(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new Collect(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Deque<Reading> stack = READING.get();
            Reading reading = new Reading(p.getParsingContext(), new ArrayList<>());
            stack.push(reading);
            Object read;
            try {
                read = super.deserialize(p, ctxt);
            } finally {
                stack.pop();
                if (stack.isEmpty()) {
                    READING.remove();
                }
            }
            if (read instanceof HasMetadata object && object.getMetadata() != null) {
                if (!reading.paths().isEmpty()) {
                    Map<String, String> annotations = object.getMetadata().getAnnotations() == null ? new HashMap<>()
                            : new HashMap<>(object.getMetadata().getAnnotations());
                    // A copy made by a cache (written and read again) already carries what was found the first time.
                    List<String> paths = new ArrayList<>(of(object));
                    reading.paths().stream().filter(f -> !paths.contains(f)).forEach(paths::add);
                    annotations.put(ANNOTATION, String.join(",", paths));
                    object.getMetadata().setAnnotations(annotations);
                }
            }
            return read;
        }
    }

    /** Skips an unknown field of an object being read by {@link Collect}, noting its path; fails as before elsewhere. */
    private static final class Skip extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                Object beanOrClass, String propertyName) throws IOException {
            Reading reading = READING.get().peek();
            if (reading == null) {
                return false;
            }
            JsonStreamContext context = p.getParsingContext();
            JsonToken token = p.currentToken();
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                context = context.getParent();
            }
            reading.paths().add(path(context, propertyName, reading.root()));
            p.skipChildren();
            return true;
        }

        /** spec.shifts[0].team: the names and indexes from the object's root down to the unknown field. */
        private static String path(JsonStreamContext context, String field, JsonStreamContext root) {
            Deque<String> segments = new ArrayDeque<>();
            segments.push(inPath(field));
            for (JsonStreamContext c = context; c != null && c != root; c = c.getParent()) {
                JsonStreamContext parent = c.getParent();
                if (parent == null || parent.inRoot()) {
                    break;
                }
                if (parent.inArray()) {
                    segments.push("[" + parent.getCurrentIndex() + "]");
                } else if (parent.getCurrentName() != null) {
                    segments.push(inPath(parent.getCurrentName()));
                }
            }
            StringBuilder path = new StringBuilder();
            for (String s : segments) {
                if (path.length() > 0 && !s.startsWith("[")) {
                    path.append('.');
                }
                path.append(s);
            }
            return path.toString();
        }
    }
}
