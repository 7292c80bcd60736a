package digital.govuk.access.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.api.v1alpha1.SubjectKind;
import digital.govuk.access.rules.OnePerson.Claim;

/** One person, one EngineerAccess: the pure part that says which EngineerAccess objects name the same person. */
class OnePersonTest {

    private static final Instant MONDAY = Instant.parse("2026-11-30T09:00:00Z");
    private static final Instant TUESDAY = Instant.parse("2026-12-01T09:00:00Z");
    private static final Instant WEDNESDAY = Instant.parse("2026-12-02T09:00:00Z");

    private static EngineerAccessSpec user(String name) {
        return Specs.engineer().subject(name).build();
    }

    private static EngineerAccessSpec user(String name, String email) {
        return Specs.engineer().userName(name, email).build();
    }

    private static EngineerAccessSpec group(String name, String email) {
        return Specs.engineer().group(name, email).build();
    }

    private static Claim claim(String name, EngineerAccessSpec spec, Instant created) {
        return new Claim(name, spec, created);
    }

    /** {@link OnePerson#refused}, checked against {@link OnePerson#refusal} for each claim given only those sharing an identity. */
    private static Map<String, Problem> refused(Claim... claims) {
        List<Claim> all = List.of(claims);
        Map<String, Problem> refused = OnePerson.refused(all);
        // The operator's way: an index by identity, and one EngineerAccess at a time.
        Map<String, List<Claim>> index = new HashMap<>();
        for (Claim c : all) {
            for (String id : OnePerson.identities(c.spec())) {
                index.computeIfAbsent(id, k -> new ArrayList<>()).add(c);
            }
        }
        Map<String, Problem> oneByOne = new LinkedHashMap<>();
        for (Claim c : all) {
            List<Claim> sharing = new ArrayList<>();
            OnePerson.identities(c.spec()).forEach(id -> sharing.addAll(index.get(id)));
            OnePerson.refusal(c, sharing).ifPresent(p -> oneByOne.put(c.name(), p));
        }
        assertThat(oneByOne).as("one at a time, through an index").isEqualTo(refused);
        return refused;
    }

    private static String message(String shared, String keeper, String why) {
        return "names the same person (" + shared + ") as EngineerAccess '" + keeper + "', " + why + " and keeps the person;"
                + " this one grants nothing: delete one of the two, or correct spec.subject.name or spec.email if they are"
                + " different people";
    }

    @Test
    void identitiesAreTheSubjectAndTheEmailAsNamesCompareThem() {
        assertThat(OnePerson.identities(user(" Jane.Doe@Example.gov.uk"))).containsExactly("jane.doe@example.gov.uk");
        assertThat(OnePerson.identities(user("ＪＡＮＥ", "jane@example.gov.uk"))).containsExactly("jane", "jane@example.gov.uk");
        assertThat(OnePerson.identities(group("Platform-Team", "jane@example.gov.uk")))
                .containsExactly("group:platform-team", "jane@example.gov.uk");
        assertThat(OnePerson.identities(user("jane@example.gov.uk", "JANE@example.gov.uk")))
                .as("the same name twice is one identity").containsExactly("jane@example.gov.uk");
    }

    @Test
    void missingOrInvalidPartsAreLeftOut() {
        assertThat(OnePerson.identities(null)).isEmpty();
        assertThat(OnePerson.identities(Specs.engineer().subject(null).build())).isEmpty();
        assertThat(OnePerson.identities(user("  ", "jane@example.gov.uk"))).containsExactly("jane@example.gov.uk");
        assertThat(OnePerson.identities(user("jane\u200B", "jane@example.gov.uk"))).as("an invisible character")
                .containsExactly("jane@example.gov.uk");
        assertThat(OnePerson.identities(user("jane", "j".repeat(300)))).as("too long").containsExactly("jane");
        EngineerAccessSpec noKind = user("jane@example.gov.uk");
        noKind.subject = new Subject(null, "jane@example.gov.uk");
        assertThat(OnePerson.identities(noKind)).as("a subject without a kind").isEmpty();
    }

    @Test
    void differentPeopleAreNotRefused() {
        assertThat(refused(claim("jane", user("jane@example.gov.uk"), MONDAY), claim("john", user("john@example.gov.uk"), MONDAY),
                claim("jo", user("jo", "jo@example.gov.uk"), null), claim("nobody", null, null))).isEmpty();
    }

    @Test
    void theSameSubjectInAnotherCaseOrFullWidthIsTheSamePerson() {
        Map<String, Problem> refused = refused(claim("jane-a", user("jane.doe@example.gov.uk"), MONDAY),
                claim("jane-b", user(" JANE.DOE@example.gov.uk"), TUESDAY),
                claim("jane-c", user("ｊａｎｅ.ｄｏｅ＠example.gov.uk"), WEDNESDAY));

        assertThat(refused).containsOnlyKeys("jane-b", "jane-c");
        assertThat(refused.get("jane-b")).isEqualTo(new Problem("spec.subject.name",
                message("jane.doe@example.gov.uk", "jane-a", "which was created earlier"), "DuplicateSubject"));
        assertThat(refused.get("jane-c").message()).as("three of one person: the first keeps it")
                .contains("as EngineerAccess 'jane-a'");
    }

    @Test
    void anEmailThatIsAnothersSubjectIsTheSamePerson() {
        Map<String, Problem> refused = refused(claim("jane-user", user("jane", "jane@example.gov.uk"), TUESDAY),
                claim("jane-address", user("Jane@example.gov.uk"), MONDAY));

        assertThat(refused).containsOnlyKeys("jane-user");
        assertThat(refused.get("jane-user").message()).isEqualTo(message("jane@example.gov.uk", "jane-address", "which was created earlier"));
        assertThat(refused.get("jane-user").reason()).isEqualTo(OnePerson.REASON);
        assertThat(refused.get("jane-user").field()).isEqualTo("spec.subject.name");
    }

    @Test
    void twoUserNamesWithTheSameEmailAreTheSamePerson() {
        assertThat(refused(claim("a", user("jane", "jane@example.gov.uk"), MONDAY), claim("b", user("jdoe", "jane@example.gov.uk"), TUESDAY)))
                .containsOnlyKeys("b");
    }

    @Test
    void aGroupIsNotTheUserOfTheSameName() {
        assertThat(refused(claim("team", group("platform", "lead@example.gov.uk"), MONDAY),
                claim("person", user("platform", "pat@example.gov.uk"), MONDAY),
                claim("mailing-list", group("platform@example.gov.uk", "owner@example.gov.uk"), MONDAY),
                claim("owner", user("Platform@example.gov.uk"), MONDAY))).isEmpty();
    }

    @Test
    void theSameGroupTwiceIsAConflict() {
        Map<String, Problem> refused = refused(claim("team-a", group("platform", "a@example.gov.uk"), MONDAY),
                claim("team-b", group("Platform", "b@example.gov.uk"), TUESDAY));
        assertThat(refused).containsOnlyKeys("team-b");
        assertThat(refused.get("team-b").message()).startsWith("names the same group (platform) as EngineerAccess 'team-a', which was created earlier");
    }

    @Test
    void theEarliestCreatedKeepsThePersonWhateverItsName() {
        assertThat(refused(claim("zed", user("jane@example.gov.uk"), MONDAY), claim("abe", user("jane@example.gov.uk"), TUESDAY)))
                .containsOnlyKeys("abe");
        assertThat(refused(claim("abe", user("jane@example.gov.uk"), TUESDAY), claim("zed", user("jane@example.gov.uk"), MONDAY)))
                .as("whatever the order given").containsOnlyKeys("abe");
    }

    @Test
    void withoutACreationTimeItCountsAsTheLatestThenTheNameDecides() {
        assertThat(refused(claim("abe", user("jane@example.gov.uk"), null), claim("zed", user("jane@example.gov.uk"), WEDNESDAY)))
                .containsOnlyKeys("abe");
        Map<String, Problem> neither = refused(claim("zed", user("jane@example.gov.uk"), null), claim("abe", user("jane@example.gov.uk"), null));
        assertThat(neither).containsOnlyKeys("zed");
        assertThat(neither.get("zed").message())
                .isEqualTo(message("jane@example.gov.uk", "abe", "which comes first by name (neither was created earlier)"));
        assertThat(refused(claim("zed", user("jane@example.gov.uk"), MONDAY), claim("abe", user("jane@example.gov.uk"), MONDAY)))
                .as("created at the same second").containsOnlyKeys("zed");
    }

    @Test
    void threeWaysRefuseAllButTheFirstEvenThroughADifferentIdentity() {
        // b shares jane@ with a, and jdoe with c; c shares nothing with a. c is refused because b came before it,
        // though b is itself refused: each is decided from the objects that share an identity with it alone.
        Map<String, Problem> refused = refused(claim("a", user("jane@example.gov.uk"), MONDAY),
                claim("b", user("jdoe", "jane@example.gov.uk"), TUESDAY),
                claim("c", user("jdoe", "john@example.gov.uk"), WEDNESDAY));

        assertThat(refused).containsOnlyKeys("b", "c");
        assertThat(refused.get("b").message()).contains("(jane@example.gov.uk) as EngineerAccess 'a'");
        assertThat(refused.get("c").message()).contains("(jdoe) as EngineerAccess 'b'");
    }

    @Test
    void theFirstSharingIsNamedWhenSeveralCameBefore() {
        // d shares its subject with c and its e-mail with a; a is the earliest of them.
        Map<String, Problem> refused = refused(claim("c", user("jdoe", "other@example.gov.uk"), TUESDAY),
                claim("a", user("jane@example.gov.uk"), MONDAY),
                claim("d", user("jdoe", "jane@example.gov.uk"), WEDNESDAY));
        assertThat(refused).containsOnlyKeys("d");
        assertThat(refused.get("d").message()).contains("(jane@example.gov.uk) as EngineerAccess 'a'");
    }

    @Test
    void oneAtATimeIgnoresItselfAndObjectsThatShareNothing() {
        Claim jane = claim("jane", user("jane@example.gov.uk"), TUESDAY);
        Claim john = claim("john", user("john@example.gov.uk"), MONDAY);
        Claim janeAgain = claim("jane", user("jane@example.gov.uk"), TUESDAY);
        assertThat(OnePerson.refusal(jane, List.of(jane, janeAgain, john))).isEmpty();
        Claim later = claim("later", user("JANE@example.gov.uk"), WEDNESDAY);
        assertThat(OnePerson.refusal(jane, List.of(later))).as("a later one does not refuse an earlier").isEmpty();
        Optional<Problem> refusal = OnePerson.refusal(later, List.of(john, later, jane));
        assertThat(refusal).map(Problem::message).hasValue(message("jane@example.gov.uk", "jane", "which was created earlier"));
    }

    @Test
    void longNamesAreCutInTheMessage() {
        String longName = "a".repeat(200);
        Map<String, Problem> refused = refused(claim(longName, user("jane@example.gov.uk"), MONDAY),
                claim("b", user("jane@example.gov.uk"), TUESDAY));
        assertThat(refused.get("b").message()).contains("EngineerAccess '" + "a".repeat(80) + "…'").doesNotContain("a".repeat(81));
    }

    @Test
    void manyEngineersTakeLinearTime() {
        // Five times the 10,000 engineers the operator is built for: comparing every pair would be over a billion
        // comparisons (minutes); an index by identity takes well under a second.
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            claims.add(claim("e" + i, user("e" + i, "e" + i + "@example.gov.uk"), MONDAY.plusSeconds(i)));
        }
        claims.add(claim("dup", user("E49999@example.gov.uk"), null));
        long start = System.nanoTime();
        Map<String, Problem> refused = OnePerson.refused(claims);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(refused).containsOnlyKeys("dup");
        assertThat(millis).as("milliseconds for 50,001 engineers").isLessThan(5_000);
    }

    @Test
    void identitiesAreWhatTheOperatorIndexes() {
        Collection<String> keys = OnePerson.identities(group("Ｐｌａｔｆｏｒｍ", "Jane@Example.gov.uk"));
        assertThat(keys).isEqualTo(Set.of("group:platform", "jane@example.gov.uk"));
    }
}
