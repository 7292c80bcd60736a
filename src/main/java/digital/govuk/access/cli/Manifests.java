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
import io.fabric8.kubernetes.api.model.Namespace;

/**
 * Reads EngineerAccess, AccessPolicy and Namespace objects from YAML or JSON files and folders
 * (multi-document files and {@code v1 List} objects included). Unknown fields and unknown enum values
 * are errors that name the file, the object and the field. Other kinds are skipped.
 */
public final class Manifests {
    /** One object read, with where it came from. */
    public record Source<T>(String file, T object) {
    }

    /** Everything read from a set of paths. */
    public record Set(List<Source<EngineerAccess>> engineers, List<Source<AccessPolicy>> policies,
            List<Source<Namespace>> namespaces, List<InputError> errors) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);

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
            set.errors().add(new InputError(name, "-", null, "not valid YAML: " + firstLine(e.getMessage())));
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
        try {
            if (kind.equals("EngineerAccess") || kind.equals("AccessPolicy")) {
                if (!apiVersion.equals(EngineerAccess.API_VERSION)) {
                    set.errors().add(new InputError(file, label, "apiVersion",
                            "'" + apiVersion + "' is not served; use " + EngineerAccess.API_VERSION));
                    return;
                }
                if (kind.equals("EngineerAccess")) {
                    set.engineers().add(new Source<>(file, YAML.treeToValue(node, EngineerAccess.class)));
                } else {
                    set.policies().add(new Source<>(file, YAML.treeToValue(node, AccessPolicy.class)));
                }
            } else if (kind.equals("Namespace") && apiVersion.equals("v1")) {
                set.namespaces().add(new Source<>(file, YAML.treeToValue(node, Namespace.class)));
            }
        } catch (JsonProcessingException e) {
            set.errors().add(new InputError(file, label, fieldPath(e), describe(e)));
        }
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

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
