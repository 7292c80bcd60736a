package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The tests' own waits. A wait that reads a status straight off a fetched object fails with a NullPointerException
 * when it looks before the operator has written it, and awaitility stops waiting at once: CI went red that way on
 * 2026-12-06 (AccessAlwaysEndsIT), and OperatorTest failed so under a moved clock. {@link Written} turns "not written yet" into an AssertionError, which a wait waits out.
 */
class WaitsTest {

    static final Path TESTS = Path.of("src/test/java");
    /**
     * Inside a wait: a status read off an object, or anything read off an object just fetched by name. The object or
     * its status may not be there yet.
     */
    static final Pattern UNGUARDED = Pattern.compile(
            "\\.getStatus\\(\\)\\s*\\.|\\.get\\(\\)\\s*\\.getStatus\\(\\)|\\.withName\\([^;]*?\\)\\s*\\.get\\(\\)\\s*\\.");

    @Test
    void noWaitReadsWhatMayNotBeWrittenYet() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            // Not this file: its examples are waits in strings.
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("WaitsTest.java")).sorted().toList()) {
                found.addAll(unguardedWaits(TESTS.relativize(file).toString(), Files.readString(file)));
            }
        }
        assertThat(found).as("waits that read what may not be written yet, without Written: it ends the wait at once").isEmpty();
    }

    @Test
    void theCheckFindsTheWaitThatTurnedCiRed() {
        String failed = """
                await().atMost(WAIT).untilAsserted(() -> assertThat(admin.resources(EngineerAccess.class).withName("rex").get().getStatus()
                        .conditions).anySatisfy(c -> assertThat(c.type).isEqualTo("Ready")));
                """;
        assertThat(unguardedWaits("AccessAlwaysEndsIT.java", failed)).containsExactly("AccessAlwaysEndsIT.java:1");
        assertThat(unguardedWaits("A.java", "await().atMost(WAIT).untilAsserted(() -> assertThat(Written.status(admin, \"rex\")"
                + ".conditions).isNotEmpty());")).isEmpty();
        assertThat(unguardedWaits("A.java", "int a;\nawait(\"the policy (default) valid\").atMost(WAIT).untilAsserted(() -> assertThat("
                + "client.resources(AccessPolicy.class).withName(\"default\").get().getStatus().conditions).isNotEmpty());"))
                .as("a wait with a name").containsExactly("A.java:2");
        assertThat(unguardedWaits("A.java", "await().atMost(WAIT).until(() -> admin.rbac().roleBindings().inNamespace(\"apps\")"
                + ".withName(name(\"x\")).get().getSubjects().isEmpty());")).as("a binding fetched by name").containsExactly("A.java:1");
        assertThat(unguardedWaits("A.java", "await().atMost(WAIT).until(() -> admin.rbac().roleBindings().inNamespace(\"apps\")"
                + ".withName(name(\"x\")).get() == null);")).as("only compared").isEmpty();
        assertThat(unguardedWaits("A.java", "await().atMost(WAIT).ignoreExceptions().until(() -> client.resources(AccessPolicy.class)"
                + ".withName(\"default\").get().getStatus().inForce != null);")).as("exceptions ignored: waited out").isEmpty();
        assertThat(unguardedWaits("A.java", "x = client.resources(AccessPolicy.class).withName(\"default\").get().getStatus().inForce;"
                + "\nawait().until(() -> true);")).as("outside a wait").isEmpty();
    }

    /** Where in this source a wait reads what may not be written yet, as file:line. */
    static List<String> unguardedWaits(String file, String source) {
        List<String> found = new ArrayList<>();
        Matcher await = Pattern.compile("\\bawait\\(").matcher(source);
        while (await.find()) {
            int until = source.indexOf(".until", closing(source, await.end() - 1));
            if (until < 0) {
                break;
            }
            int open = source.indexOf('(', until);
            int close = closing(source, open);
            if (source.substring(await.end(), open).contains("ignoreExceptions")) {
                continue;
            }
            if (UNGUARDED.matcher(source.substring(open, close)).find()) {
                found.add(file + ":" + (source.substring(0, await.start()).split("\n", -1).length));
            }
        }
        return found;
    }

    /** Where the parenthesis opened at {@code open} closes, skipping those in comments and literals. */
    private static int closing(String source, int open) {
        int depth = 0;
        for (int i = open; i < source.length(); i++) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 1;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? source.length() : end + 2;
            } else if (c == '"' || c == '\'') {
                for (i++; i < source.length() && source.charAt(i) != c; i++) {
                    if (source.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return source.length();
    }
}
