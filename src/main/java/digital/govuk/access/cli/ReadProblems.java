package digital.govuk.access.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;
import io.fabric8.generator.annotation.Required;

/**
 * Turns what the YAML parser or the object mapper found wrong into words a person can act on: the field's
 * path, what was expected there (worked out from the API types: "an object with role, startTime and
 * endTime", "a whole number", "one of User, Group"), and what was found ("the number 0", "a list"), with
 * values cut by {@link Values}. Never a Java class name or a parser's internals.
 */
final class ReadProblems {
    /** Known field names are listed after "unknown field" when they fit in this many characters. */
    private static final int KNOWN_FIELDS_SHOWN = 160;
    /** A parser message that still names Java types ({@code org.yaml.snakeyaml.events.Event}) is not shown. */
    private static final Pattern JAVA_NAME = Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*|`[^`]*`");
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'$", Pattern.DOTALL);
    private static final int MAX_YAML_MESSAGE = 200;

    private final ObjectMapper mapper;
    /** The properties of each API type, worked out once: introspection is slow. */
    private final Map<JavaType, List<BeanPropertyDefinition>> properties = new ConcurrentHashMap<>();

    ReadProblems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The problem with reading {@code document} as {@code type}: the field's path and what is wrong there. */
    Problem of(JsonProcessingException e, JsonNode document, Class<?> type) {
        List<Object> steps = steps(e);
        return new Problem(path(steps), describe(e, document, mapper.constructType(type), steps));
    }

    private String describe(JsonProcessingException e, JsonNode document, JavaType root, List<Object> steps) {
        if (e instanceof UnrecognizedPropertyException u) {
            JavaType owner = typeAt(root, steps.subList(0, Math.max(0, steps.size() - 1)));
            List<String> known = owner == null ? List.of() : fieldNames(owner);
            String list = String.join(", ", known);
            return "unknown field " + Values.quote(u.getPropertyName())
                    + (known.isEmpty() || list.length() > KNOWN_FIELDS_SHOWN ? "" : "; the fields here are " + list);
        }
        String expected = expected(typeAt(root, steps));
        String found = found(nodeAt(document, steps));
        if (e.getCause() instanceof InputCoercionException || e instanceof InputCoercionException) {
            return "expected " + expected + ", got " + found + ", which is out of range";
        }
        return "expected " + expected + ", got " + found;
    }

    /** The steps of the path the mapper was at: field names (String) and list positions (Integer). */
    private static List<Object> steps(JsonProcessingException e) {
        List<Object> steps = new ArrayList<>();
        if (e instanceof JsonMappingException m) {
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    steps.add(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    steps.add(ref.getIndex());
                }
            }
        }
        return steps;
    }

    /** The path as {@code spec.shifts[0].role}, each field name cut as values are. */
    private static String path(List<Object> steps) {
        StringBuilder path = new StringBuilder();
        for (Object step : steps) {
            if (step instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                if (path.length() > 0) {
                    path.append('.');
                }
                // An empty path would say "the whole file" rather than where the problem is.
                path.append(Values.cut(UnknownFields.inPath((String) step)));
            }
        }
        return path.toString();
    }

    /** The API type at a path from the root type; null when the path leaves the types. */
    private JavaType typeAt(JavaType root, List<Object> steps) {
        JavaType type = root;
        for (Object step : steps) {
            if (type == null) {
                return null;
            }
            if (step instanceof Integer) {
                type = type.isCollectionLikeType() || type.isArrayType() ? type.getContentType() : null;
            } else if (type.isMapLikeType()) {
                type = type.getContentType();
            } else if (type.isContainerType() || isScalar(type)) {
                return null;
            } else {
                type = property(type, (String) step);
            }
        }
        return type;
    }

    private JavaType property(JavaType bean, String name) {
        for (BeanPropertyDefinition p : properties(bean)) {
            if (p.getName().equals(name)) {
                return p.getPrimaryType();
            }
        }
        return null;
    }

    private List<BeanPropertyDefinition> properties(JavaType bean) {
        return properties.computeIfAbsent(bean, type -> {
            BeanDescription description = mapper.getDeserializationConfig().introspect(type);
            return List.copyOf(description.findProperties());
        });
    }

    private List<String> fieldNames(JavaType bean) {
        return properties(bean).stream().map(BeanPropertyDefinition::getName).toList();
    }

    /** What a value of this API type looks like, in words. */
    String expected(JavaType type) {
        if (type == null) {
            return "a valid value";
        }
        Class<?> c = type.getRawClass();
        if (type.isEnumType()) {
            return "one of " + Arrays.stream(c.getEnumConstants()).map(k -> ((Enum<?>) k).name()).collect(Collectors.joining(", "));
        }
        if (CharSequence.class.isAssignableFrom(c)) {
            return "a string";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "true or false";
        }
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class || c == Short.class || c == short.class
                || c == BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(c) || c == double.class || c == float.class) {
            return "a number";
        }
        if (type.isCollectionLikeType() || type.isArrayType()) {
            return "a list";
        }
        if (type.isMapLikeType() || c == Object.class) {
            return "an object";
        }
        List<String> required = new ArrayList<>();
        for (BeanPropertyDefinition p : properties(type)) {
            AnnotatedMember member = p.getPrimaryMember();
            if (member != null && member.hasAnnotation(Required.class)) {
                required.add(p.getName());
            }
        }
        return required.isEmpty() ? "an object" : "an object with " + words(required);
    }

    private static boolean isScalar(JavaType type) {
        Class<?> c = type.getRawClass();
        return type.isPrimitive() || type.isEnumType() || CharSequence.class.isAssignableFrom(c) || Number.class.isAssignableFrom(c)
                || c == Boolean.class;
    }

    /** What was found, in words: {@code the number 0}, {@code the string 'abc'}, {@code a list}, {@code null}. */
    static String found(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "the string " + Values.quote(node.textValue());
        }
        if (node.isBoolean()) {
            return String.valueOf(node.booleanValue());
        }
        if (node.isNumber()) {
            return "the number " + Values.cut(node.isBigDecimal() ? ((BigDecimal) node.numberValue()).toPlainString() : node.asText());
        }
        if (node.isArray()) {
            return node.isEmpty() ? "an empty list" : "a list";
        }
        if (node.isObject()) {
            return node.isEmpty() ? "an empty object" : "an object";
        }
        return node.isBinary() ? "binary data" : "a value of another kind";
    }

    private static JsonNode nodeAt(JsonNode document, List<Object> steps) {
        JsonNode node = document;
        for (Object step : steps) {
            if (node == null) {
                return null;
            }
            node = step instanceof Integer index ? node.get(index) : node.get((String) step);
        }
        return node;
    }

    private static String words(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /**
     * What the YAML or JSON parser found wrong, and where: {@code line 4, column 4: while parsing a flow
     * sequence: expected ',' or ']', but got <stream end>}. Cut to a readable length.
     */
    static String syntax(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        message = message == null ? "" : message;
        String what;
        Matcher duplicate = DUPLICATE.matcher(message);
        if (e instanceof StreamConstraintsException) {
            what = "it is nested too deeply or is too large to read";
        } else if (duplicate.matches()) {
            what = "the key " + Values.quote(duplicate.group(1)) + " appears twice in one mapping";
        } else if (message.startsWith("Expected a field name")) {
            what = "a mapping key must be a plain value, not a list or a mapping";
        } else {
            List<String> parts = new ArrayList<>();
            for (String line : message.split("\n")) {
                // The parser's message alternates statements with " in 'reader', line 3, column 4:" and a
                // copy of the line with a caret under the column; keep the statements.
                if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                    parts.add(line.strip());
                }
            }
            what = parts.isEmpty() ? "the parser could not read it" : String.join(": ", parts);
            if (JAVA_NAME.matcher(what).find()) {
                what = "the parser could not read it";
            }
        }
        what = Values.cut(what, MAX_YAML_MESSAGE);
        if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
            return "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ": " + what;
        }
        return what;
    }
}
