package digital.govuk.access.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs {@code engineer-access} in-process and writes small manifests for the CLI tests. */
final class Cli {
    /** The instant the examples are written around. */
    static final Instant AT = Instant.parse("2026-12-02T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);
    static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON:\n" + out, e);
            }
        }

        /** stderr lines that report an invalid input. */
        List<String> invalid() {
            return err.lines().filter(l -> l.startsWith("invalid: ")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static Run run(Clock clock, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(args, o, e, clock);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs with the clock at {@link #AT}. */
    static Run run(String... args) {
        return run(CLOCK, args);
    }

    /** Paths as arguments. */
    static String[] args(Object... parts) {
        return java.util.Arrays.stream(parts).map(String::valueOf).toArray(String[]::new);
    }

    /** The project's examples/ folder. */
    static Path examples() {
        Path p = Path.of(System.getProperty("basedir", ".")).resolve("examples");
        if (!Files.isDirectory(p)) {
            p = Path.of("examples");
        }
        return p.toAbsolutePath();
    }

    static Path write(Path dir, String file, String text) {
        try {
            Path p = dir.resolve(file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The items of a {@code v1 List} printed by {@code -o json}, by metadata.name. */
    static Map<String, JsonNode> items(JsonNode list) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode item : list.path("items")) {
            byName.put(item.path("metadata").path("name").asText(), item);
        }
        return byName;
    }

    /** The condition of one type in an item's status. */
    static JsonNode condition(JsonNode item, String type) {
        for (JsonNode c : item.path("status").path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        throw new AssertionError("no condition " + type + " in " + item);
    }

    /**
     * The table printed by {@code plan}: rows by NAME, each a map from column header to cell. Columns start
     * where the header has a word after two or more spaces ("WHY NOT MORE" is one column).
     */
    static Map<String, Map<String, String>> table(String out) {
        List<String> lines = out.lines().toList();
        int h = 0;
        while (!lines.get(h).startsWith("NAME ")) {
            h++;
        }
        String header = lines.get(h);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 2; i < header.length(); i++) {
            if (header.charAt(i) != ' ' && header.charAt(i - 1) == ' ' && header.charAt(i - 2) == ' ') {
                starts.add(i);
            }
        }
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(h + 1, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < starts.size(); c++) {
                int from = Math.min(starts.get(c), line.length());
                int to = c + 1 < starts.size() ? Math.min(starts.get(c + 1), line.length()) : line.length();
                String name = c + 1 < starts.size() ? header.substring(starts.get(c), starts.get(c + 1)) : header.substring(starts.get(c));
                row.put(name.strip(), line.substring(from, to).strip());
            }
            rows.put(row.get("NAME"), row);
        }
        return rows;
    }

    // Manifests. Dates are written around AT (2026-12-02T12:00:00Z).

    static final String POLICY_WITH_APPROVERS = """
            apiVersion: access.govuk.digital/v1alpha1
            kind: AccessPolicy
            metadata:
              name: default
            spec:
              exceptionApprovers:
              - {name: head.of.tech@example.gov.uk, role: HeadOfTechnology}
              - {name: lee.lead-dev@example.gov.uk, role: LeadDeveloper}
            """;

    /** The AccessPolicy named default with every default: what a repository holding the policy gives plan. */
    static final String POLICY_OF_DEFAULTS = """
            apiVersion: access.govuk.digital/v1alpha1
            kind: AccessPolicy
            metadata:
              name: default
            spec: {}
            """;

    /** apps: deploy and admin; platform: admin; sandbox: none. */
    static final String NAMESPACES = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: apps
              labels: {access.govuk.digital/deploy: "true", access.govuk.digital/admin: "true"}
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: platform
              labels: {access.govuk.digital/admin: "true"}
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: sandbox
            """;

    /** fullName, role, employment and subject, at spec indentation. */
    static String identity(String name) {
        return """
                  fullName: %s
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: %s@example.gov.uk}
                """.formatted(name, name);
    }

    static final String CLEARANCE = "  clearance: {level: BPSS, grantedOn: 2026-01-12}\n";
    static final String APPROVAL = """
              deployApproval:
                approvedBy: tess.lead@example.gov.uk
                approvedOn: 2026-02-01
                confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
            """;
    static final String PROBATION = "  probation: {passedOn: 2026-07-01}\n";
    /** A completed Shadow shift and a completed AdminShadow shift: earned Admin, unsupervised. */
    static final String ADMIN_SHIFTS = """
              shifts:
              - {role: Shadow, startTime: "2026-08-03T09:00:00Z", endTime: "2026-08-07T17:30:00Z"}
              - {role: AdminShadow, startTime: "2026-09-07T09:00:00Z", endTime: "2026-09-11T17:30:00Z"}
            """;

    /** An EngineerAccess document whose spec is the given lines (already indented by two spaces). */
    static String engineer(String name, String... specParts) {
        return "apiVersion: access.govuk.digital/v1alpha1\nkind: EngineerAccess\nmetadata:\n  name: " + name + "\nspec:\n"
                + String.join("", specParts);
    }

    /** Cleared, not approved: None. */
    static String none(String name) {
        return engineer(name, identity(name), CLEARANCE);
    }

    /** Cleared and approved: Deploy. */
    static String deploy(String name) {
        return engineer(name, identity(name), CLEARANCE, APPROVAL);
    }

    /**
     * Cleared and approved (Deploy), known to the cluster as the user {@code jane}, with the address
     * {@code Jane@example.gov.uk}: the same person as {@code deploy("jane")}, whose subject is jane@example.gov.uk.
     */
    static String janeByUserName(String name) {
        return engineer(name, """
                  fullName: Jane Doe
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: jane}
                  email: Jane@example.gov.uk
                """, CLEARANCE, APPROVAL);
    }

    /** An EngineerAccess document with metadata.creationTimestamp set, as read back from a cluster. */
    static String created(String document, String creationTimestamp) {
        return document.replaceFirst("\nmetadata:\n  name: ([^\n]*)\n",
                "\nmetadata:\n  name: $1\n  creationTimestamp: \"" + creationTimestamp + "\"\n");
    }

    /** Earned Admin, not supervised. */
    static String admin(String name) {
        return engineer(name, identity(name), CLEARANCE, APPROVAL, PROBATION, ADMIN_SHIFTS);
    }

    /** Deploy plus Admin by exception (approved by the Head of Technology) from 2026-11-25 to the expiry given. */
    static String exception(String name, String expiryTime) {
        return engineer(name, identity(name), CLEARANCE, APPROVAL, """
                  exceptions:
                  - approvedBy: head.of.tech@example.gov.uk
                    businessCase: Cover for incident response
                    supervisor: pat.primary@example.gov.uk
                    startTime: "2026-11-25T09:00:00Z"
                    expiryTime: "%s"
                """.formatted(expiryTime));
    }

    static String docs(String... documents) {
        return String.join("---\n", documents);
    }
}
