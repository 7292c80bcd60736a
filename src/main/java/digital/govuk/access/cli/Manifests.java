package digital.govuk.access.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.rules.Problem;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * Reads EngineerAccess, AccessPolicy and Namespace objects from YAML or JSON files and folders
 * (multi-document files and {@code v1 List} objects included). Unknown fields and unknown enum values
 * are errors that name the file, the object and the field. Other kinds are skipped.
 */
public final class Manifests {
    /**
     * One object read, with where it came from.
     *
     * @param where    its place in the file ({@code document 2}, {@code document 1 item 3})
     * @param problems why it could not be read; only for an EngineerAccess, which is then kept (with its
     *                 metadata and no spec) so that the plan shows it granting nothing
     */
    public record Source<T>(String file, String where, T object, List<Problem> problems) {
    }

    /** Everything read from a set of paths. */
    public record Set(List<Source<EngineerAccess>> engineers, List<Source<AccessPolicy>> policies,
            List<Source<Namespace>> namespaces, List<InputError> errors) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
    /** For the metadata of an EngineerAccess that cannot be read: whatever can be salvaged. */
    private static final ObjectMapper LENIENT = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Manifests() {
    }

    public static Set read(List<Path> paths) {
        Set set = new Set(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Path path : paths) {
            if (!Files.exists(path)) {
                set.errors().add(new InputError(path.toString(), "-", null, "no such file or folder"));
                continue;
            }
            for (Path file : files(path, set)) {
                readFile(file, set);
            }
        }
        return set;
    }

    private static List<Path> files(Path path, Set set) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            set.errors().add(new InputError(path.toString(), "-", null, "cannot read the folder: " + e.getMessage()));
            return List.of();
        }
    }

    private static void readFile(Path file, Set set) {
        String name = file.toString();
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.newBufferedReader(file))) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    documents.add(doc);
                }
            }
        } catch (IOException e) {
            set.errors().add(new InputError(name, "-", null, "not valid YAML: " + yamlProblem(e)));
            return;
        }
        int index = 0;
        for (JsonNode doc : documents) {
            index++;
            if ("List".equals(doc.path("kind").asText()) && doc.path("items").isArray()) {
                Iterator<JsonNode> items = doc.path("items").elements();
                int item = 0;
                while (items.hasNext()) {
                    readObject(items.next(), name, "document " + index + " item " + item++, set);
                }
            } else {
                readObject(doc, name, "document " + index, set);
            }
        }
    }

    private static void readObject(JsonNode node, String file, String where, Set set) {
        String kind = node.path("kind").asText("");
        String apiVersion = node.path("apiVersion").asText("");
        String objectName = node.path("metadata").path("name").asText("");
        String label = kind.isEmpty() ? where : kind + " " + (objectName.isEmpty() ? "(" + where + ")" : objectName);
        boolean engineer = kind.equals("EngineerAccess");
        try {
            if (engineer || kind.equals("AccessPolicy")) {
                if (!apiVersion.equals(EngineerAccess.API_VERSION)) {
                    String message = "'" + apiVersion + "' is not served; use " + EngineerAccess.API_VERSION;
                    if (engineer) {
                        unreadable(node, file, where, new Problem("apiVersion", message), set);
                    } else {
                        set.errors().add(new InputError(file, label, "apiVersion", message));
                    }
                    return;
                }
                if (engineer) {
                    set.engineers().add(new Source<>(file, where, YAML.treeToValue(node, EngineerAccess.class), List.of()));
                } else {
                    set.policies().add(new Source<>(file, where, YAML.treeToValue(node, AccessPolicy.class), List.of()));
                }
            } else if (kind.equals("Namespace") && apiVersion.equals("v1")) {
                set.namespaces().add(new Source<>(file, where, YAML.treeToValue(node, Namespace.class), List.of()));
            }
        } catch (JsonProcessingException e) {
            if (engineer) {
                unreadable(node, file, where, new Problem(fieldPath(e), describe(e)), set);
            } else {
                set.errors().add(new InputError(file, label, fieldPath(e), describe(e)));
            }
        }
    }

    /**
     * An EngineerAccess that cannot be read is kept with its metadata and no spec, and the problem: the plan
     * then shows it granting nothing and why (fail closed), instead of it silently vanishing (which a
     * comparison with {@code --against} would report as the engineer being removed). The plan reports the problem.
     */
    private static void unreadable(JsonNode node, String file, String where, Problem problem, Set set) {
        EngineerAccess ea = new EngineerAccess();
        ObjectMeta meta;
        try {
            meta = LENIENT.treeToValue(node.path("metadata"), ObjectMeta.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            meta = null;
        }
        if (meta == null) {
            meta = new ObjectMeta();
            String name = node.path("metadata").path("name").asText("");
            meta.setName(name.isEmpty() ? null : name);
        }
        ea.setMetadata(meta);
        ea.setSpec(null);
        set.engineers().add(new Source<>(file, where, ea, List.of(problem)));
    }

    /** The path of the field a Jackson error is about, as {@code spec.shifts[0].role}. */
    static String fieldPath(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException m)) {
            return "";
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
            String allowed = Arrays.stream(f.getTargetType().getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
            return "'" + f.getValue() + "' is not one of " + allowed;
        }
        if (e instanceof InvalidFormatException f) {
            return "'" + f.getValue() + "' is not a valid " + f.getTargetType().getSimpleName();
        }
        return firstLine(e.getOriginalMessage());
    }

    /** What the YAML parser found wrong, and where: {@code line 4, column 4: while parsing ...: expected ...}. */
    static String yamlProblem(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        List<String> parts = new ArrayList<>();
        for (String line : (message == null ? "" : message).split("\n")) {
            // The parser's message alternates statements with " in 'reader', line 3, column 4:" and a
            // copy of the line with a caret under the column; keep the statements.
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                parts.add(line.strip());
            }
        }
        String what = parts.isEmpty() ? firstLine(message) : String.join(": ", parts);
        if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
            return "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ": " + what;
        }
        return what;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
