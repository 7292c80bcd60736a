package digital.govuk.access.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.Bounds;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.ExceptionApprover;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.ShiftRole;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.api.v1alpha1.SubjectKind;
import digital.govuk.access.api.v1alpha1.Unmet;

/**
 * Pins every part of the decision, word for word, over a large realistic mix of engineers (the benchmark's), several
 * policies and time zones (including one whose clocks change at midnight), several instants, awkward names and
 * every problem position in a spec's lists. The other tests check properties and chosen cases; this one fails if a
 * change to make decisions faster changes any decision, message, problem or next transition at all.
 * <p>
 * The digest was taken from the rules before they were made faster. When a rule or message changes on purpose,
 * look at target/decision-golden.txt and update {@link #DIGEST}.
 */
class DecisionGoldenTest {
    static final String DIGEST = "ee2513323fa2db5e01aec28f30bb5709ba51c9f91452e3321d84be255528df7d";
    /** The first this many of the benchmark's engineers: every stage of the rules many times over. */
    static final int ENGINEERS = 2_500;

    @Test
    void everyDecisionIsTheSameWordForWord() throws IOException {
        StringBuilder out = new StringBuilder(1 << 24);
        for (EffectivePolicy policy : policies()) {
            out.append("policy ").append(policy.zone()).append(' ').append(policy.requiredClearance()).append(' ')
                    .append(policy.minShadowShifts()).append(' ').append(policy.secondaryShiftsBeforePrimary()).append(' ')
                    .append(policy.longAbsenceDays()).append(' ').append(policy.maxExceptionDays()).append(' ')
                    .append(policy.exceptionsWaiveClearance()).append('\n');
            List<EngineerAccessSpec> specs = new ArrayList<>(DecisionBenchmark.engineers(new SplittableRandom(DecisionBenchmark.SEED),
                    new ArrayList<>()).subList(0, ENGINEERS));
            specs.addAll(awkward());
            for (EngineerAccessSpec spec : specs) {
                Instant now = DecisionBenchmark.NOW;
                for (Instant t : List.of(now, now.minus(Duration.ofDays(200)), now.plus(Duration.ofDays(45)).plusSeconds(7))) {
                    Decision d = AccessRules.decide(spec, policy, t);
                    render(out, d);
                    if (d.nextTransitionTime() != null) {
                        render(out, AccessRules.decide(spec, policy, d.nextTransitionTime()));
                        render(out, AccessRules.decide(spec, policy, d.nextTransitionTime().minusNanos(1)));
                    }
                }
            }
        }
        EngineerAccessSpec named = awkward().get(0);
        for (String name : List.of("engineer-00001", "Engineer", "", "a".repeat(64), "-x", "x.y-z")) {
            render(out, AccessRules.decide(name, named, EffectivePolicy.defaults(), DecisionBenchmark.NOW));
        }
        byte[] text = out.toString().getBytes(StandardCharsets.UTF_8);
        String digest = sha256(text);
        if (!digest.equals(DIGEST)) {
            Path file = Path.of("target", "decision-golden.txt");
            Files.createDirectories(file.getParent());
            Files.write(file, text);
        }
        assertThat(digest).as("digest of the decisions, written to target/decision-golden.txt").isEqualTo(DIGEST);
    }

    private static List<EffectivePolicy> policies() {
        List<EffectivePolicy> policies = new ArrayList<>();
        policies.add(DecisionBenchmark.policy());
        policies.add(EffectivePolicy.defaults());
        AccessPolicySpec utc = policySpec("UTC");
        utc.requiredClearance = ClearanceLevel.SC;
        utc.secondaryShiftsBeforePrimary = 0;
        utc.exceptionsWaiveClearance = true;
        policies.add(read(utc));
        // Chile changes its clocks at midnight: some days start at 01:00.
        AccessPolicySpec santiago = policySpec("America/Santiago");
        santiago.minShadowShifts = 2;
        santiago.longAbsenceDays = 20;
        santiago.maxExceptionDays = 10;
        santiago.requiredClearance = ClearanceLevel.None;
        policies.add(read(santiago));
        AccessPolicySpec offset = policySpec("+05:30");
        offset.minShadowShifts = 0;
        offset.secondaryShiftsBeforePrimary = 1;
        offset.techLeads = new ArrayList<>();
        policies.add(read(offset));
        return policies;
    }

    private static AccessPolicySpec policySpec(String zone) {
        AccessPolicySpec spec = new AccessPolicySpec();
        spec.timeZone = zone;
        spec.techLeads = new ArrayList<>(List.of(DecisionBenchmark.TECH_LEADS));
        spec.techLeads.add(" Ｊａｎｅ.Lead@Example.gov.uk ");
        spec.exceptionApprovers = new ArrayList<>(List.of(
                new ExceptionApprover(DecisionBenchmark.HEAD_OF_TECH.toUpperCase(), ApproverRole.HeadOfTechnology),
                new ExceptionApprover(DecisionBenchmark.LEAD_DEV, ApproverRole.LeadDeveloper)));
        return spec;
    }

    private static EffectivePolicy read(AccessPolicySpec spec) {
        PolicyReader.Result r = PolicyReader.read(spec);
        assertThat(r.problems()).isEmpty();
        return r.policy();
    }

    /** Names and values the fast paths must treat as the general ones do, and a problem at every list position. */
    private static List<EngineerAccessSpec> awkward() {
        List<EngineerAccessSpec> specs = new ArrayList<>();
        // Each awkward spec starts from its own engineer of the mix, then has one thing made awkward.
        Iterator<EngineerAccessSpec> base = DecisionBenchmark.engineers(new SplittableRandom(99), new ArrayList<>()).iterator();
        List<String> names = List.of(" Jane.Doe@Example.gov.uk ", "ｊａｎｅ.doe@example.gov.uk", "jane\u200B.doe@example.gov.uk",
                "jane\t.doe@example.gov.uk", "jane\u007F@example.gov.uk", "JOSE\u0301@example.gov.uk", "jos\u00E9@example.gov.uk",
                "\u212Aelvin@example.gov.uk", "\u0130stanbul@example.gov.uk", "stra\u00DFe@example.gov.uk", "system:masters",
                "jane", " ", "", "Tess.Lead@Example.gov.uk", "tess.lead@example.gov.uk ", "ＴＥＳＳ.lead@example.gov.uk",
                "a".repeat(Bounds.NAME + 1), "\uD83D\uDE00@example.gov.uk", "\uD800@example.gov.uk", "x\u00A0y@example.gov.uk",
                "x\u2028y@example.gov.uk", "x\u180Ey@example.gov.uk", "x\uFE0Fy@example.gov.uk", "x~y!z@example.gov.uk");
        for (String name : names) {
            for (int where = 0; where < 5; where++) {
                EngineerAccessSpec s = base.next();
                switch (where) {
                    case 0 -> s.subject = new Subject(SubjectKind.User, name);
                    case 1 -> s.email = name;
                    case 2 -> {
                        if (s.deployApproval != null) {
                            s.deployApproval.approvedBy = name;
                        }
                    }
                    case 3 -> {
                        AdminException e = exception(3);
                        e.approvedBy = name;
                        s.exceptions.add(e);
                    }
                    default -> {
                        AdminException e = exception(-2);
                        e.supervisor = name;
                        s.exceptions.add(e);
                        Shift shift = shift(ShiftRole.Shadow, -20);
                        shift.supervisor = name;
                        s.shifts.add(shift);
                    }
                }
                specs.add(s);
            }
        }
        // Dates and instants in forms the fast parsers refuse, and days on which the clocks change.
        List<String> days = List.of("2026-03-29", "2026-10-25", "2026-09-06", "2026-04-05", "2026-02-29", "2024-02-29",
                "2026-4-01", "2026-04-01 ", "+2026-04-01", "2026-13-01", "0000-01-01", "9999-12-31");
        List<String> instants = List.of("2026-03-29T01:00:00Z", "2026-03-29T01:30:00+01:00", "2026-10-25T01:30:00.5Z",
                "2026-09-06T00:00:00-04:00", "2026-09-06t00:00:00z", "2026-09-06T00:00Z", "2026-09-06T24:00:00Z",
                "2026-11-30T09:00:00.123456789+05:30", "2026-11-30T09:00:00+05:30:10", "2027-01-01T00:00:00Z", "x");
        for (int i = 0; i < days.size(); i++) {
            EngineerAccessSpec s = base.next();
            String day = days.get(i);
            switch (i % 4) {
                case 0 -> {
                    if (s.clearance != null) {
                        s.clearance.grantedOn = day;
                    }
                }
                case 1 -> {
                    Absence a = new Absence();
                    a.from = day;
                    s.absences.add(a);
                }
                case 2 -> {
                    Absence a = new Absence();
                    a.from = "2026-01-10";
                    a.until = day;
                    s.absences.add(a);
                }
                default -> {
                    if (s.deployApproval != null) {
                        s.deployApproval.approvedOn = day;
                    }
                }
            }
            specs.add(s);
        }
        for (int i = 0; i < instants.size(); i++) {
            EngineerAccessSpec s = base.next();
            Shift shift = shift(ShiftRole.AdminShadow, -3);
            shift.startTime = instants.get(i);
            s.shifts.add(shift);
            AdminException e = exception(-1);
            e.expiryTime = instants.get(instants.size() - 1 - i);
            s.exceptions.add(e);
            specs.add(s);
        }
        // A problem at every position of each list, and lists over their bounds.
        int[] positions = {0, 1, 2, 9, 10, 11, 99, 100, 199, 499};
        for (int p : positions) {
            EngineerAccessSpec s = base.next();
            s.shifts = new ArrayList<>();
            s.exceptions = new ArrayList<>();
            s.absences = new ArrayList<>();
            for (int i = 0; i <= p; i++) {
                Shift shift = shift(ShiftRole.Shadow, -400 + i % 300);
                if (i == p) {
                    shift.role = null;
                    shift.endTime = shift.startTime;
                    shift.supervisor = "bad\u200Bname";
                }
                s.shifts.add(shift);
                if (i < Bounds.EXCEPTIONS) {
                    AdminException e = exception(-400 + i);
                    if (i == p) {
                        e.businessCase = "";
                        e.approvedBy = null;
                        e.startTime = null;
                        e.expiryTime = "2026-01-01T00:00:00";
                    }
                    s.exceptions.add(i == p && p % 2 == 1 ? null : e);
                }
                if (i < Bounds.ABSENCES) {
                    Absence a = new Absence();
                    a.from = LocalDate.of(2020, 1, 1).plusDays(i * 3L).toString();
                    a.until = i == p ? "2019-01-01" : LocalDate.of(2020, 1, 1).plusDays(i * 3L + 1).toString();
                    s.absences.add(i == p && p % 3 == 2 ? null : a);
                }
            }
            specs.add(s);
        }
        EngineerAccessSpec over = base.next();
        for (int i = 0; i <= Bounds.SHIFTS; i++) {
            over.shifts.add(shift(ShiftRole.Secondary, i));
        }
        specs.add(over);
        specs.add(null);
        specs.add(new EngineerAccessSpec());
        return specs;
    }

    private static Shift shift(ShiftRole role, int days) {
        Shift s = new Shift();
        s.role = role;
        Instant start = DecisionBenchmark.NOW.plus(Duration.ofDays(days)).minus(Duration.ofHours(3));
        s.startTime = start.toString();
        s.endTime = start.plus(Duration.ofHours(8)).toString();
        s.supervisor = "pat.primary@example.gov.uk";
        return s;
    }

    private static AdminException exception(int days) {
        AdminException e = new AdminException();
        e.approvedBy = DecisionBenchmark.HEAD_OF_TECH;
        e.businessCase = "cover";
        e.supervisor = "pat.primary@example.gov.uk";
        Instant start = DecisionBenchmark.NOW.plus(Duration.ofDays(days));
        e.startTime = start.toString();
        e.expiryTime = start.plus(Duration.ofDays(9)).toString();
        return e;
    }

    static void render(StringBuilder out, Decision d) {
        out.append(d.level()).append(" supervised=").append(d.supervised()).append(" expiry=").append(d.accessExpiryTime())
                .append(" next=").append(d.nextTransitionTime()).append(" deploy=").append(d.deployOnItsOwn())
                .append(" earned=").append(d.earnedAdmin()).append(" revoked=").append(d.revoked()).append(" grounds=")
                .append(d.grounds()).append(" rota=").append(d.rota().secondaryShiftsCompleted).append(d.rota().eligible)
                .append('\n');
        for (Problem p : d.problems()) {
            out.append("  problem ").append(p.field()).append(" | ").append(p.message()).append(" | ").append(p.reason()).append('\n');
        }
        for (Unmet u : d.unmet()) {
            out.append("  unmet ").append(u.level).append(' ').append(u.code).append(" | ").append(u.message).append('\n');
        }
        for (ExceptionStatus e : d.exceptions()) {
            out.append("  exception ").append(e.index).append(' ').append(e.state).append(' ').append(e.reason).append(" | ")
                    .append(e.message).append('\n');
        }
        for (String p : d.rotaOrderProblems()) {
            out.append("  rota ").append(p).append('\n');
        }
    }

    private static String sha256(byte[] text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
