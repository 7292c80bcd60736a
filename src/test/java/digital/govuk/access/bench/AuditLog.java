package digital.govuk.access.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The API server's own record of the writes it accepted, with microsecond timestamps: the audit log that
 * scripts/control-plane.sh turns on when the control plane's folder holds {@link #POLICY_FILE}. The policy selects
 * writes to RoleBindings and to EngineerAccess status, at the Metadata level (no bodies), so logging costs the API
 * server little, and the same for the floor and the operator.
 */
final class AuditLog {
    static final String POLICY_FILE = "audit-policy.yaml";
    static final String POLICY = """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: ["RequestReceived"]
            rules:
            - level: Metadata
              verbs: ["create", "update", "patch", "delete", "deletecollection"]
              resources:
              - group: rbac.authorization.k8s.io
                resources: ["rolebindings"]
              - group: access.govuk.digital
                resources: ["engineeraccesses/status"]
            - level: None
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One write, as the API server saw it.
     *
     * @param received when the request arrived
     * @param answered when the API server sent its answer (the change was accepted by then)
     */
    record Write(String user, String verb, String resource, String namespace, String name, int code, Instant received,
            Instant answered) {
        boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    private final Path file;

    AuditLog(Path controlPlaneDir) {
        this.file = controlPlaneDir.resolve("audit.log");
    }

    static void enable(Path controlPlaneDir) throws IOException {
        Files.createDirectories(controlPlaneDir);
        Files.writeString(controlPlaneDir.resolve(POLICY_FILE), POLICY);
    }

    /** Where the log ends now: {@link #since} reads what is written after it. */
    long end() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The writes logged after {@code offset} by {@code user} (null: anyone). */
    List<Write> since(long offset, String user) {
        List<Write> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(raf.getChannel().position(offset)),
                        StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank() || !line.endsWith("}")) {
                    continue;
                }
                JsonNode e = JSON.readTree(line);
                if (!"ResponseComplete".equals(e.path("stage").asText())) {
                    continue;
                }
                String who = e.path("user").path("username").asText();
                if (user != null && !user.equals(who)) {
                    continue;
                }
                JsonNode ref = e.path("objectRef");
                String resource = ref.path("resource").asText() + (ref.hasNonNull("subresource") ? "/" + ref.path("subresource").asText() : "");
                out.add(new Write(who, e.path("verb").asText(), resource, ref.path("namespace").asText(null), ref.path("name").asText(null),
                        e.path("responseStatus").path("code").asInt(), Instant.parse(e.path("requestReceivedTimestamp").asText()),
                        Instant.parse(e.path("stageTimestamp").asText())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
