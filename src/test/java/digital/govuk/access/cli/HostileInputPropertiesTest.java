package digital.govuk.access.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.SubjectKind;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile input, through the same path {@code plan} takes (reading manifests, then {@link Plan#compute}):
 * EngineerAccess and AccessPolicy documents as raw YAML or JSON text, made from a valid engineer (who holds
 * Deploy and Admin) and a valid policy by up to four mistakes each: wrong types, missing and extra fields,
 * huge strings and lists (up to 10,000 shifts), odd Unicode, years 0001 and 9999, impossible dates, an end
 * before its start, duplicates and overlaps, and broken YAML. Over every input:
 * <ul>
 * <li>no exception escapes;</li>
 * <li>no grant from an invalid spec or policy: an engineer with a problem has level None and no bindings;</li>
 * <li>a grant names one person (a Group only where the policy allows), never a {@code system:} name, and no
 * name in it hides an invisible character;</li>
 * <li>every rejection names its field (or, for text that is not YAML, says so), in at most 300 characters
 * and without a Java name;</li>
 * <li>memory stays bounded: the bytes this thread allocates for one input stay under a generous bound.</li>
 * </ul>
 * jqwik prints the seed of a failing run, so it replays.
 */
class HostileInputPropertiesTest {
    static final Instant AT = Instant.parse("2026-12-02T12:00:00Z");
    static final int MAX_MESSAGE = 300;
    static final Pattern NAMED_FIELD = Pattern.compile("^(apiVersion|kind|metadata|spec|status)([.\\[].*)?$");
    static final Pattern JAVA_NAME = Pattern.compile("java\\.|digital\\.govuk|fasterxml|snakeyaml|`|Exception[:(]|\\bCannot deserialize");

    /** Writes the inputs: deep enough for the deepest input made here (reading refuses it long before). */
    static final StreamWriteConstraints DEEP = StreamWriteConstraints.builder().maxNestingDepth(5_000).build();
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().streamWriteConstraints(DEEP).build());
    static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder().streamWriteConstraints(DEEP).build());
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** A valid engineer: Deploy, earned Admin, an active exception, an absence, at {@link #AT}. */
    static final String ENGINEER = """
            apiVersion: access.govuk.digital/v1alpha1
            kind: EngineerAccess
            metadata:
              name: jane-doe
            spec:
              fullName: Jane Doe
              role: Developer
              employment: CivilServant
              subject: {kind: User, name: jane.doe@example.gov.uk}
              clearance: {level: BPSS, grantedOn: "2026-01-12"}
              probation: {passedOn: "2026-07-01"}
              deployApproval:
                approvedBy: tess.lead@example.gov.uk
                approvedOn: "2026-02-01"
                confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
              shifts:
              - {role: Shadow, startTime: "2026-08-03T09:00:00Z", endTime: "2026-08-07T17:30:00Z", supervisor: sam@example.gov.uk}
              - {role: AdminShadow, startTime: "2026-09-07T09:00:00Z", endTime: "2026-09-11T17:30:00Z"}
              - {role: Secondary, startTime: "2026-10-05T09:00:00Z", endTime: "2026-10-09T17:30:00Z"}
              exceptions:
              - {approvedBy: head.of.tech@example.gov.uk, businessCase: Incident cover, supervisor: pat@example.gov.uk,
                 startTime: "2026-11-25T09:00:00Z", expiryTime: "2026-12-09T17:30:00Z"}
              absences:
              - {from: "2026-03-02", until: "2026-03-20"}
            """;

    static final String POLICY = """
            apiVersion: access.govuk.digital/v1alpha1
            kind: AccessPolicy
            metadata:
              name: default
            spec:
              timeZone: Europe/London
              requiredClearance: BPSS
              deploy:
                clusterRole: production-deploy
                namespaceSelector:
                  matchLabels: {access.govuk.digital/deploy: "true"}
              admin:
                clusterRole: production-admin
                includeDeploy: true
                namespaceSelector:
                  matchExpressions:
                  - {key: access.govuk.digital/admin, operator: In, values: ["true"]}
              minShadowShifts: 1
              secondaryShiftsBeforePrimary: 2
              longAbsenceDays: 42
              maxExceptionDays: 30
              exceptionsWaiveClearance: false
              allowGroupSubjects: false
              techLeads: [tess.lead@example.gov.uk]
              exceptionApprovers:
              - {name: head.of.tech@example.gov.uk, role: HeadOfTechnology}
            """;

    /** Values put where they do not belong. */
    static final List<JsonNode> VALUES = values();

    static List<JsonNode> values() {
        List<JsonNode> v = new ArrayList<>();
        for (Object o : new Object[] {0, -1, 1.5, 99999999999L, 1e308, true, false, null, "", " ", "abc",
                "x".repeat(301), "y".repeat(5000),
                // odd Unicode: zero-width, direction override, combining, surrogate pair, lone surrogate, NUL, BOM, full width
                "jane\u200B.doe@example.gov.uk", "\u202Eku.vog.elpmaxe@eod.enaj", "jane.doe@example.gov.uk\u0301", "😀😀",
                "\uD800", "nul\u0000nul", "\uFEFFjane.doe@example.gov.uk", "ｊａｎｅ.ｄｏｅ@example.gov.uk", "\u0085next\u2028line",
                // names that must never be granted to
                "jane.doe@example.gov.uk", "JANE.DOE@example.gov.uk ", "system:masters", " System:authenticated", "Group", "User",
                // dates and instants at and beyond the edges of the calendar
                "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "0000-00-00", "2026-2-3",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59", "2026-02-30T09:00:00Z",
                "2026-08-03T25:00:00Z", "2026-08-03T09:00:00.1234567890123Z", "2026-08-03T09:00:00+18:01",
                // enum values, in and out of place
                "Shadow", "AdminShadow", "Primary", "HeadOfTechnology", "Admin", "DV", "In", "Exists"}) {
            v.add(JSON.valueToTree(o));
        }
        v.add(NODES.arrayNode());
        v.add(NODES.arrayNode().add(1).add("a").addNull());
        v.add(NODES.objectNode());
        v.add(NODES.objectNode().put("role", "Shadow").put("unexpected", 1));
        return v;
    }

    enum Kind {
        REPLACE, DELETE, ADD_FIELD, DUPLICATE_ENTRY, OVERLAPPING_SHIFT, END_BEFORE_START, GROW_LIST, HUGE_STRING, BREAK_TEXT, DEEP_NESTING
    }

    /** One mistake; the numbers pick where and what, modulo what the document has. */
    record Mistake(Kind kind, int where, int what) {
    }

    /** An input: mistakes made to one of the valid documents, written as YAML or as JSON. */
    record Input(List<Mistake> mistakes, boolean json, boolean withPolicy) {
    }

    @Provide
    Arbitrary<Input> inputs() {
        // Huge lists and strings are rare (each costs as much as a hundred other inputs); the 10,000-shift case
        // also has its own example below.
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(160, Kind.REPLACE),
                Tuple.of(56, Kind.DELETE),
                Tuple.of(40, Kind.ADD_FIELD),
                Tuple.of(32, Kind.DUPLICATE_ENTRY),
                Tuple.of(20, Kind.OVERLAPPING_SHIFT),
                Tuple.of(24, Kind.END_BEFORE_START),
                Tuple.of(24, Kind.BREAK_TEXT),
                Tuple.of(4, Kind.DEEP_NESTING),
                Tuple.of(1, Kind.GROW_LIST),
                Tuple.of(1, Kind.HUGE_STRING)).withoutEdgeCases();
        Arbitrary<Mistake> mistakes = Combinators.combine(kinds, Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, 10_000)).as(Mistake::new);
        return Combinators.combine(mistakes.list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Input::new);
    }

    @Property(tries = 6_000)
    void hostileEngineerAccessGrantsNothingItShouldNot(@ForAll("inputs") Input input) {
        String text = text(input, true);
        Outcome outcome = plan(text, input.json());
        check(outcome, text);
        Statistics.label("engineer").collect(outcome.summary());
    }

    @Property(tries = 4_000)
    void hostileAccessPolicyGrantsNothingItShouldNot(@ForAll("inputs") Input input) {
        String text = text(new Input(input.mistakes(), input.json(), true), false);
        Outcome outcome = plan(text, input.json());
        check(outcome, text);
        Statistics.label("policy").collect(outcome.summary());
    }

    @Example
    void withoutMistakesTheEngineerHoldsAdminSoGrantingNothingIsNoCoincidence() {
        Outcome outcome = plan(text(new Input(List.of(), false, true), true), false);
        assertThat(outcome.plan().errors()).isEmpty();
        Plan.Engineer jane = outcome.plan().engineers().get("jane-doe");
        assertThat(jane.decision().level()).isEqualTo(Level.Admin);
        assertThat(jane.bindings()).extracting(b -> b.namespace() + "/" + b.name())
                .containsExactlyInAnyOrder("apps/jane-doe-deploy", "apps/jane-doe-admin", "platform/jane-doe-admin");
        assertThat(plan(text(new Input(List.of(), true, false), true), true).plan().engineers().get("jane-doe").decision().level())
                .isEqualTo(Level.Admin);
    }

    @Example
    void tenThousandShiftsAreRefusedWithoutDeciding() {
        Input grow = new Input(List.of(new Mistake(Kind.GROW_LIST, 0, 0)), true, false);
        String text = text(grow, true);
        assertThat(text).contains("\"shifts\"");

        Outcome outcome = plan(text, true);

        check(outcome, text);
        assertThat(outcome.plan().errors()).extracting(e -> e.field() + ": " + e.message())
                .containsExactly("spec.shifts: must have at most 500 entries, not 10000");
        Plan.Engineer jane = outcome.plan().engineers().get("jane-doe");
        // Refused before any shift was read: one problem, not one per shift, and nothing decided.
        assertThat(jane.decision().problems()).containsExactly(new Problem("spec.shifts", "must have at most 500 entries, not 10000"));
        assertThat(jane.decision().level()).isEqualTo(Level.None);
        assertThat(jane.decision().unmet()).isEmpty();
        assertThat(jane.bindings()).isEmpty();
        assertThat(outcome.allocated()).as("bytes allocated for %d characters", text.length()).isLessThan(allocationBound(text));
    }

    // ------------------------------------------------------------------------------------------ the plan

    record Outcome(Plan.Result plan, long allocated) {
        String summary() {
            if (plan.errors().isEmpty()) {
                return "valid";
            }
            return plan.errors().get(0).field() == null ? "not YAML" : "invalid";
        }
    }

    static Outcome plan(String text, boolean json) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Plan.Result result;
        try {
            result = Plan.compute(Manifests.read(json ? "input.json" : "input.yaml", text), AT, false);
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("an exception escaped for input:\n" + abbreviate(text), e);
        }
        return new Outcome(result, THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    /** Generous: a fixed amount for parsing and planning, and a multiple of the input's size. */
    static long allocationBound(String text) {
        return 64L * 1024 * 1024 + 200L * text.length();
    }

    static void check(Outcome outcome, String text) {
        Plan.Result plan = outcome.plan();
        String input = abbreviate(text);
        for (InputError e : plan.errors()) {
            assertThat(e.message()).as("message of %s in\n%s", e, input).hasSizeLessThanOrEqualTo(MAX_MESSAGE)
                    .doesNotContainPattern(JAVA_NAME);
            if (e.field() == null || e.field().isEmpty()) {
                assertThat(e.object()).as("a rejection without a field is of the whole file: %s in\n%s", e, input).isEqualTo("-");
                assertThat(e.message()).as("%s", e).matches("^(not valid (YAML|JSON): |the file is larger than ).*");
            } else {
                // A field of the object, or an unknown field at its top, named by itself.
                if (!e.message().startsWith("unknown field")) {
                    assertThat(e.field()).as("field of %s in\n%s", e, input).matches(NAMED_FIELD);
                }
                assertThat(e.field()).as("field of %s in\n%s", e, input).hasSizeLessThanOrEqualTo(MAX_MESSAGE)
                        .doesNotContainPattern(JAVA_NAME);
            }
        }
        for (Plan.Engineer engineer : plan.engineers().values()) {
            EngineerAccessStatus status = engineer.resource().getStatus();
            boolean invalid = engineer.decision() == null || !engineer.decision().specValid();
            boolean reported = plan.errors().stream().anyMatch(e -> e.object().startsWith("EngineerAccess ")
                    || e.object().startsWith("AccessPolicy "));
            if (invalid || !plan.policy().valid()) {
                assertThat(engineer.bindings()).as("no grant from invalid input:\n%s", input).isEmpty();
                assertThat(status.level).as("no grant from invalid input:\n%s", input).isEqualTo(Level.None);
                assertThat(status.bindings).isEmpty();
                assertThat(reported).as("an invalid input is reported:\n%s", input).isTrue();
            }
            if (engineer.decision() != null && !engineer.decision().specValid()) {
                assertThat(condition(status, "SpecValid").status).isEqualTo("False");
            }
            if (!engineer.bindings().isEmpty()) {
                grantedOnlyToOnePerson(engineer.resource().getSpec(), plan.policy().policy().allowGroupSubjects(), input);
            }
            for (Condition c : status.conditions) {
                assertThat(c.message).as("condition %s in\n%s", c.type, input).hasSizeLessThanOrEqualTo(1_500)
                        .doesNotContainPattern(JAVA_NAME);
            }
            status.unmet.forEach(u -> assertThat(u.message).hasSizeLessThanOrEqualTo(MAX_MESSAGE));
            status.exceptions.forEach(x -> assertThat(x.message).hasSizeLessThanOrEqualTo(MAX_MESSAGE));
        }
        assertThat(outcome.allocated()).as("bytes allocated for %d characters:\n%s", text.length(), input)
                .isLessThan(allocationBound(text));
    }

    /** Whatever the input, a grant names one person (or a group the policy allows), never a system name. */
    static void grantedOnlyToOnePerson(EngineerAccessSpec spec, boolean groupsAllowed, String input) {
        assertThat(spec.subject.kind == SubjectKind.User || groupsAllowed).as("subject kind in\n%s", input).isTrue();
        assertThat(Normalizer.normalize(spec.subject.name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip())
                .as("subject in\n%s", input).doesNotStartWith("system:");
        List<String> names = new ArrayList<>();
        names.add(spec.subject.name);
        if (spec.deployApproval != null) {
            names.add(spec.deployApproval.approvedBy);
        }
        if (spec.exceptions != null) {
            spec.exceptions.forEach(e -> {
                names.add(e.approvedBy);
                names.add(e.supervisor);
            });
        }
        if (spec.shifts != null) {
            spec.shifts.forEach(x -> names.add(x.supervisor));
        }
        for (String name : names) {
            if (name != null) {
                assertThat(name.codePoints().anyMatch(Values::invisible)).as("a name with an invisible character in\n%s", input).isFalse();
            }
        }
    }

    static Condition condition(EngineerAccessStatus status, String type) {
        return status.conditions.stream().filter(c -> c.type.equals(type)).findFirst().orElseThrow();
    }

    static String abbreviate(String text) {
        return text.length() <= 3_000 ? text : text.substring(0, 3_000) + "\n... (" + text.length() + " characters)";
    }

    // ------------------------------------------------------------------------------------------ the input

    static final ObjectNode ENGINEER_DOCUMENT = read(ENGINEER);
    static final ObjectNode POLICY_DOCUMENT = read(POLICY);
    static final List<JsonNode> NAMESPACE_DOCUMENTS = readAll(Cli.NAMESPACES);

    /** The input's text: the mistakes made to the engineer (or to the policy), with the other documents. */
    static String text(Input input, boolean mistakesToEngineer) {
        ObjectNode engineer = ENGINEER_DOCUMENT.deepCopy();
        ObjectNode policy = POLICY_DOCUMENT.deepCopy();
        ObjectNode target = mistakesToEngineer ? engineer : policy;
        List<Mistake> textMistakes = new ArrayList<>();
        for (Mistake m : input.mistakes()) {
            if (m.kind() == Kind.BREAK_TEXT) {
                textMistakes.add(m);
            } else {
                apply(m, target);
            }
        }
        List<JsonNode> documents = new ArrayList<>();
        documents.add(engineer);
        if (input.withPolicy() || !mistakesToEngineer) {
            documents.add(policy);
        }
        String text;
        try {
            if (input.json()) {
                ObjectNode list = NODES.objectNode().put("apiVersion", "v1").put("kind", "List");
                ArrayNode items = list.putArray("items");
                documents.forEach(items::add);
                NAMESPACE_DOCUMENTS.forEach(n -> items.add(n.deepCopy()));
                text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list);
            } else {
                StringBuilder yaml = new StringBuilder();
                for (JsonNode d : documents) {
                    yaml.append(YAML.writeValueAsString(d));
                }
                text = yaml.append("---\n").append(Cli.NAMESPACES).toString();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        for (Mistake m : textMistakes) {
            text = breakText(text, m);
        }
        return text;
    }

    static ObjectNode read(String yaml) {
        try {
            return (ObjectNode) YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> readAll(String yaml) {
        try {
            return YAML.readValues(YAML.createParser(yaml), JsonNode.class).readAll();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void apply(Mistake m, ObjectNode doc) {
        List<List<Object>> all = new ArrayList<>();
        paths(doc, new ArrayList<>(), all);
        List<List<Object>> objects = all.stream().filter(p -> at(doc, p).isObject()).toList();
        List<List<Object>> lists = all.stream().filter(p -> at(doc, p).isArray()).toList();
        List<List<Object>> leaves = all.stream().filter(p -> !p.isEmpty()).toList();
        switch (m.kind()) {
            case REPLACE -> set(doc, pick(leaves, m.where()), VALUES.get(m.what() % VALUES.size()).deepCopy());
            case DELETE -> remove(doc, pick(leaves, m.where()));
            case ADD_FIELD -> {
                JsonNode node = at(doc, pick(objects, m.where()));
                String[] names = {"extra", "spec", "status", "role", "x".repeat(300), "\u200Bkind", "apiVersion"};
                ((ObjectNode) node).set(names[m.what() % names.length], VALUES.get(m.what() % VALUES.size()).deepCopy());
            }
            case DUPLICATE_ENTRY -> {
                if (!lists.isEmpty()) {
                    ArrayNode list = (ArrayNode) at(doc, pick(lists, m.where()));
                    if (!list.isEmpty()) {
                        for (int i = 0; i <= m.what() % 3; i++) {
                            list.add(list.get(m.where() % list.size()).deepCopy());
                        }
                    }
                }
            }
            case OVERLAPPING_SHIFT -> {
                JsonNode shifts = doc.path("spec").path("shifts");
                if (shifts instanceof ArrayNode list) {
                    String[] roles = {"Shadow", "AdminShadow", "Secondary", "Primary", "OnCall"};
                    list.addObject().put("role", roles[m.what() % roles.length]).put("startTime", "2026-09-08T09:00:00Z")
                            .put("endTime", "2026-12-31T09:00:00Z");
                }
            }
            case END_BEFORE_START -> {
                for (String list : List.of("shifts", "exceptions", "absences")) {
                    JsonNode entries = doc.path("spec").path(list);
                    if (entries.isArray() && !entries.isEmpty() && entries.get(0).isObject()) {
                        ObjectNode first = (ObjectNode) entries.get(0);
                        swap(first, "startTime", "endTime");
                        swap(first, "startTime", "expiryTime");
                        swap(first, "from", "until");
                    }
                }
            }
            case GROW_LIST -> {
                int[] sizes = {10_000, 501, 2_000, 600};
                int size = sizes[m.what() % sizes.length];
                JsonNode spec = doc.path("spec");
                if (spec instanceof ObjectNode s) {
                    String[] names = {"shifts", "exceptions", "absences", "techLeads", "exceptionApprovers"};
                    String name = names[m.where() % names.length];
                    JsonNode existing = s.path(name);
                    JsonNode entry = existing.isArray() && !existing.isEmpty() && existing.get(0).toString().length() < 1_000
                            ? existing.get(0) : NODES.textNode("someone@example.gov.uk");
                    ArrayNode grown = s.putArray(name);
                    for (int i = 0; i < size; i++) {
                        grown.add(entry.deepCopy());
                    }
                }
            }
            case HUGE_STRING -> set(doc, pick(leaves, m.where()), NODES.textNode("z".repeat(1 << 20)));
            case DEEP_NESTING -> {
                // Deeper than the 64 levels plan reads, and, with every other deep mistake of the input, never more
                // than 300 levels: the test's own walks of the document (and jqwik's shrinking thread) must not
                // overflow the stack.
                int room = 300 - all.stream().mapToInt(List::size).max().orElse(0);
                int levels = Math.min(65 + m.what() % 200, room);
                if (levels > 64) {
                    JsonNode deep = NODES.numberNode(1);
                    for (int i = 0; i < levels; i++) {
                        deep = NODES.arrayNode().add(deep);
                    }
                    set(doc, pick(leaves, m.where()), deep);
                }
            }
            case BREAK_TEXT -> throw new IllegalStateException("applied to the text");
        }
    }

    static String breakText(String text, Mistake m) {
        if (text.isEmpty()) {
            return text;
        }
        int at = m.where() * 7919 % text.length();
        String[] inserts = {":", "- ", "{", "]", "\"", "'", "\t", "\u0000", "&a ", "*a", "!!binary ", "\n  ", "? ", "\uFFFF", "%YAML 1.2\n"};
        return switch (m.what() % 4) {
            case 0 -> text.substring(0, at);
            case 1 -> text.substring(0, at) + inserts[m.what() % inserts.length] + text.substring(at);
            case 2 -> {
                // Repeat one line: a key given twice, or an entry twice.
                int start = text.lastIndexOf('\n', at) + 1;
                int end = text.indexOf('\n', at);
                String line = text.substring(start, end < 0 ? text.length() : end + 1);
                yield text.substring(0, start) + line + (line.endsWith("\n") ? "" : "\n") + text.substring(start);
            }
            default -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + m.what() % 40));
        };
    }

    static void paths(JsonNode node, List<Object> path, List<List<Object>> out) {
        out.add(List.copyOf(path));
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                path.add(e.getKey());
                paths(e.getValue(), path, out);
                path.remove(path.size() - 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.add(i);
                paths(node.get(i), path, out);
                path.remove(path.size() - 1);
            }
        }
    }

    static List<Object> pick(List<List<Object>> paths, int n) {
        return paths.isEmpty() ? List.of() : paths.get(n % paths.size());
    }

    static JsonNode at(JsonNode doc, List<Object> path) {
        JsonNode node = doc;
        for (Object step : path) {
            node = step instanceof Integer i ? node.get(i) : node.get((String) step);
        }
        return node;
    }

    static void set(ObjectNode doc, List<Object> path, JsonNode value) {
        if (path.isEmpty()) {
            return;
        }
        JsonNode parent = at(doc, path.subList(0, path.size() - 1));
        Object last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.set((String) last, value);
        } else if (parent instanceof ArrayNode a) {
            a.set((Integer) last, value);
        }
    }

    static void remove(ObjectNode doc, List<Object> path) {
        if (path.isEmpty()) {
            return;
        }
        JsonNode parent = at(doc, path.subList(0, path.size() - 1));
        Object last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.remove((String) last);
        } else if (parent instanceof ArrayNode a) {
            a.remove((int) (Integer) last);
        }
    }

    static void swap(ObjectNode node, String a, String b) {
        if (node.has(a) && node.has(b)) {
            JsonNode first = node.get(a);
            node.set(a, node.get(b));
            node.set(b, first);
        }
    }
}
