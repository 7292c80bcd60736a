package digital.govuk.access.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * Reads EngineerAccess, AccessPolicy and Namespace objects from YAML or JSON ({@code .json}) files and folders
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

    /** Deeper than any manifest of these kinds needs: deeper documents are refused before they are read. */
    private static final int MAX_NESTING = 64;
    /** Larger files are refused before they are read, so plan's memory stays bounded. */
    static final long MAX_FILE_BYTES = 16L << 20;
    /**
     * The YAML parser takes time and memory that grow with the square of the longest line (a 1 MB line costs
     * 2 GB of allocation), so YAML lines longer than this are refused before parsing. JSON is read by a parser
     * without that cost, so a long JSON line is fine.
     */
    static final int MAX_YAML_LINE = 128 << 10;
    /**
     * Reads as strictly as the API server's schema: unknown fields, unknown enum values, a key given twice,
     * and a scalar of the wrong type (a number or true for a string, "3" or 1.5 for a whole number, 1 or
     * "true" for true or false) are errors, never quietly converted.
     */
    private static final ObjectMapper YAML = strict(new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build()));
    private static final ObjectMapper JSON = strict(new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build()));
    private static final ReadProblems PROBLEMS = new ReadProblems(YAML);
    /** For the metadata of an EngineerAccess that cannot be read: whatever can be salvaged. */
    private static final ObjectMapper LENIENT = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Manifests() {
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
        Map<LogicalType, List<CoercionInputShape>> refused = Map.of(
                LogicalType.Textual, List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean),
                LogicalType.Integer, List.of(CoercionInputShape.Float, CoercionInputShape.String, CoercionInputShape.Boolean),
                LogicalType.Float, List.of(CoercionInputShape.String, CoercionInputShape.Boolean),
                LogicalType.Boolean, List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.String),
                LogicalType.Enum, List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean));
        refused.forEach((type, shapes) -> shapes.forEach(shape -> mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail)));
        return mapper;
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
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                set.errors().add(new InputError(name, "-", null, tooLarge()));
                return;
            }
            read(name, Files.readString(file), set);
        } catch (CharacterCodingException e) {
            set.errors().add(new InputError(name, "-", null, "cannot read the file: it is not UTF-8 text"));
        } catch (IOException e) {
            set.errors().add(new InputError(name, "-", null, "cannot read the file: " + Values.cut(e.getMessage())));
        }
    }

    private static String tooLarge() {
        return "the file is larger than " + (MAX_FILE_BYTES >> 20) + " MiB, the most plan reads: split it";
    }

    /** Reads the text of one file, named {@code name} in messages: JSON when the name ends in .json, else YAML. */
    static Set read(String name, String text) {
        Set set = new Set(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        read(name, text, set);
        return set;
    }

    private static void read(String name, String text, Set set) {
        boolean json = name.endsWith(".json");
        String format = json ? "JSON" : "YAML";
        if (text.length() > MAX_FILE_BYTES) {
            set.errors().add(new InputError(name, "-", null, tooLarge()));
            return;
        }
        int longLine = json ? 0 : lineLongerThan(text, MAX_YAML_LINE);
        if (longLine > 0) {
            set.errors().add(new InputError(name, "-", null, "not valid YAML: line " + longLine + " is longer than "
                    + MAX_YAML_LINE + " characters; no field of these objects needs that (write very long lines as JSON)"));
            return;
        }
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = (json ? JSON : YAML).readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    documents.add(doc);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The YAML parser reports some malformed input as unchecked exceptions: all mean the same.
            set.errors().add(new InputError(name, "-", null, "not valid " + format + ": "
                    + ReadProblems.syntax(e instanceof IOException io ? io : new IOException(e.getMessage(), e))));
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

    /** The number of the first line longer than {@code max} characters, or 0. */
    private static int lineLongerThan(String text, int max) {
        int line = 1;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                start = i + 1;
            } else if (i - start >= max) {
                return line;
            }
        }
        return 0;
    }

    private static void readObject(JsonNode node, String file, String where, Set set) {
        String kind = node.path("kind").asText("");
        String apiVersion = node.path("apiVersion").asText("");
        String objectName = node.path("metadata").path("name").asText("");
        String label = kind.isEmpty() ? where : Values.cut(kind) + " " + (objectName.isEmpty() ? "(" + where + ")" : Values.cut(objectName));
        boolean engineer = kind.equals("EngineerAccess");
        try {
            if (engineer || kind.equals("AccessPolicy")) {
                if (!apiVersion.equals(EngineerAccess.API_VERSION)) {
                    String message = Values.quote(apiVersion) + " is not served; use " + EngineerAccess.API_VERSION;
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
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Class<?> type = engineer ? EngineerAccess.class : kind.equals("AccessPolicy") ? AccessPolicy.class : Namespace.class;
            Problem problem = e instanceof JsonProcessingException j ? PROBLEMS.of(j, node, type)
                    : new Problem("", "cannot be read: " + Values.cut(e.getMessage()));
            if (engineer) {
                unreadable(node, file, where, problem, set);
            } else {
                set.errors().add(new InputError(file, label, problem.field(), problem.message()));
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
}
