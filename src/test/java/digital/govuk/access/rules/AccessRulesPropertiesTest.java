package digital.govuk.access.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.AdminRoleTarget;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.Clearance;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.Confirmations;
import digital.govuk.access.api.v1alpha1.DeployApproval;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.ExceptionApprover;
import digital.govuk.access.api.v1alpha1.ExceptionState;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.Probation;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.ShiftRole;
import digital.govuk.access.api.v1alpha1.UnmetCode;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the decision over generated engineers (random facts, and plausible careers), policies and
 * instants within a two-year window (2026-2027), with instants biased towards the facts' own instants.
 */
@PropertyDefaults(edgeCases = EdgeCasesMode.NONE)
class AccessRulesPropertiesTest {

    static final LocalDate BASE_DAY = LocalDate.of(2026, 1, 1);
    static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    static final int WINDOW_DAYS = 730;
    static final String ENGINEER = Specs.ENGINEER;
    static final List<String> PEOPLE = List.of(Specs.TECH_LEAD, "other.lead@example.gov.uk", Specs.HEAD_OF_TECH,
            Specs.LEAD_DEV, ENGINEER, " Jane.Doe@Example.gov.uk ");
    static final List<NamespaceInfo> NAMESPACES = List.of(
            new NamespaceInfo("apps", Map.of(EffectivePolicy.DEPLOY_LABEL, "true", EffectivePolicy.ADMIN_LABEL, "true"), false),
            new NamespaceInfo("tools", Map.of(EffectivePolicy.DEPLOY_LABEL, "true"), false),
            new NamespaceInfo("secrets", Map.of(EffectivePolicy.ADMIN_LABEL, "true"), false));

    // ------------------------------------------------------------------ recipes (immutable, readable when shrunk)

    record ShiftR(ShiftRole role, long startSecond, long seconds) {
    }

    record ExceptionR(String by, String businessCase, String supervisor, long startSecond, long seconds) {
    }

    record AbsenceR(int fromDay, Integer days) {
    }

    record ApprovalR(String by, int day, boolean codeReview, boolean releaseResponsibilities, boolean rollback,
            boolean gettingHelp) {
    }

    record SpecR(ClearanceLevel clearance, Integer clearanceDay, Integer probationDay, ApprovalR approval,
            List<ShiftR> shifts, List<ExceptionR> exceptions, List<AbsenceR> absences) {

        EngineerAccessSpec build() {
            Specs.Builder b = Specs.engineer();
            EngineerAccessSpec s = b.build();
            if (clearance != null) {
                s.clearance = new Clearance();
                s.clearance.level = clearance;
                s.clearance.grantedOn = clearanceDay == null ? null : day(clearanceDay);
            }
            if (probationDay != null) {
                s.probation = new Probation();
                s.probation.passedOn = day(probationDay);
            }
            if (approval != null) {
                s.deployApproval = new DeployApproval();
                s.deployApproval.approvedBy = approval.by();
                s.deployApproval.approvedOn = day(approval.day());
                s.deployApproval.confirmations = new Confirmations();
                s.deployApproval.confirmations.codeReview = approval.codeReview();
                s.deployApproval.confirmations.releaseResponsibilities = approval.releaseResponsibilities();
                s.deployApproval.confirmations.rollback = approval.rollback();
                s.deployApproval.confirmations.gettingHelp = approval.gettingHelp();
            }
            for (ShiftR r : shifts) {
                Shift sh = new Shift();
                sh.role = r.role();
                sh.startTime = instant(r.startSecond());
                sh.endTime = instant(r.startSecond() + r.seconds());
                s.shifts.add(sh);
            }
            for (ExceptionR r : exceptions) {
                AdminException e = new AdminException();
                e.approvedBy = r.by();
                e.businessCase = r.businessCase();
                e.supervisor = r.supervisor();
                e.startTime = instant(r.startSecond());
                e.expiryTime = instant(r.startSecond() + r.seconds());
                s.exceptions.add(e);
            }
            for (AbsenceR r : absences) {
                Absence a = new Absence();
                a.from = day(r.fromDay());
                a.until = r.days() == null ? null : day(r.fromDay() + r.days());
                s.absences.add(a);
            }
            return s;
        }
    }

    record PolicyR(String zone, ClearanceLevel required, boolean waive, List<String> techLeads,
            Map<String, ApproverRole> approvers, int minShadow, int secondaries, int longAbsence, int maxException,
            boolean includeDeploy) {

        EffectivePolicy build() {
            AccessPolicySpec p = new AccessPolicySpec();
            p.timeZone = zone;
            p.requiredClearance = required;
            p.exceptionsWaiveClearance = waive;
            p.techLeads = new ArrayList<>(techLeads);
            approvers.forEach((n, r) -> p.exceptionApprovers.add(new ExceptionApprover(n, r)));
            p.minShadowShifts = minShadow;
            p.secondaryShiftsBeforePrimary = secondaries;
            p.longAbsenceDays = longAbsence;
            p.maxExceptionDays = maxException;
            p.admin = new AdminRoleTarget();
            p.admin.includeDeploy = includeDeploy;
            PolicyReader.Result r = PolicyReader.read(p);
            assertThat(r.problems()).isEmpty();
            return r.policy();
        }
    }

    /** One generated case: the instant is an offset from BASE, or from one of the spec's own instants. */
    record Case(SpecR specR, PolicyR policyR, Instant now) {
        EngineerAccessSpec spec() {
            return specR.build();
        }

        EffectivePolicy policy() {
            return policyR.build();
        }
    }

    static String day(int d) {
        return BASE_DAY.plusDays(d).toString();
    }

    static String instant(long second) {
        return BASE.plusSeconds(second).toString();
    }

    // ------------------------------------------------------------------ generators

    static Arbitrary<Integer> days() {
        return Arbitraries.integers().between(-30, WINDOW_DAYS);
    }

    static Arbitrary<String> person() {
        return Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just(Specs.TECH_LEAD)),
                Tuple.of(3, Arbitraries.of(PEOPLE)));
    }

    static Arbitrary<ApprovalR> approval(Arbitrary<Integer> day) {
        Arbitrary<Boolean> confirmed = Arbitraries.frequency(Tuple.of(9, true), Tuple.of(1, false));
        return Combinators.combine(person(), day, confirmed, confirmed, confirmed, confirmed).as(ApprovalR::new);
    }

    static Arbitrary<ShiftR> shift(Arbitrary<ShiftRole> role, Arbitrary<Integer> day) {
        Arbitrary<Long> time = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(9 * 3600L)),
                Tuple.of(1, Arbitraries.longs().between(0, 86399)));
        Arbitrary<Long> length = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(4 * 86400L + 8 * 3600 + 1800)),
                Tuple.of(2, Arbitraries.longs().between(3600, 6 * 86400)));
        return Combinators.combine(role, day, time, length).as((r, d, t, l) -> new ShiftR(r, d * 86400L + t, l));
    }

    static Arbitrary<ExceptionR> exception(Arbitrary<Integer> day) {
        Arbitrary<String> by = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(Specs.HEAD_OF_TECH)),
                Tuple.of(2, Arbitraries.just(Specs.LEAD_DEV)), Tuple.of(2, Arbitraries.of(PEOPLE)));
        Arbitrary<String> businessCase = Arbitraries.frequency(Tuple.of(9, "Incident cover"), Tuple.of(1, "  "));
        Arbitrary<String> supervisor = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(Specs.SUPERVISOR)),
                Tuple.of(1, Arbitraries.<String>just(null)), Tuple.of(1, Arbitraries.just(ENGINEER)),
                Tuple.of(1, Arbitraries.just(" ")));
        Arbitrary<Long> length = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.longs().between(3600, 30 * 86400L)),
                Tuple.of(1, Arbitraries.longs().between(28 * 86400L, 32 * 86400L)),
                Tuple.of(1, Arbitraries.longs().between(3600, 45 * 86400L)));
        Arbitrary<Long> offset = Arbitraries.longs().between(0, 86399);
        return Combinators.combine(by, businessCase, supervisor, day, offset, length)
                .as((b, c, s, d, o, l) -> new ExceptionR(b, c, s, d * 86400L + o, l));
    }

    static Arbitrary<AbsenceR> absence(Arbitrary<Integer> day) {
        Arbitrary<Integer> length = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.<Integer>just(null)),
                Tuple.of(1, Arbitraries.of(41, 42, 43, 44)), Tuple.of(3, Arbitraries.integers().between(0, 100)));
        return Combinators.combine(day, length).as(AbsenceR::new);
    }

    static Arbitrary<ClearanceLevel> clearanceLevel() {
        return Arbitraries.frequency(Tuple.of(6, ClearanceLevel.BPSS), Tuple.of(1, ClearanceLevel.None),
                Tuple.of(1, ClearanceLevel.SC), Tuple.of(1, ClearanceLevel.DV));
    }

    /** Facts drawn independently over the window. */
    static Arbitrary<SpecR> randomSpec() {
        Arbitrary<ClearanceLevel> level = clearanceLevel().injectNull(0.1);
        Arbitrary<Integer> clearanceDay = days();
        Arbitrary<Integer> probation = days().injectNull(0.2);
        Arbitrary<ApprovalR> approval = approval(days()).injectNull(0.2);
        Arbitrary<List<ShiftR>> shifts = shift(Arbitraries.of(ShiftRole.class), days()).list().ofMaxSize(6);
        Arbitrary<List<ExceptionR>> exceptions = exception(days()).list().ofMaxSize(3);
        Arbitrary<List<AbsenceR>> absences = absence(days()).list().ofMaxSize(2);
        return Combinators.combine(level, clearanceDay, probation, approval, shifts, exceptions, absences)
                .as(SpecR::new);
    }

    /** A plausible career: clearance, approval, probation, Shadow, AdminShadow, Secondary, Primary/OnCall in roughly that order. */
    static Arbitrary<SpecR> careerSpec() {
        return Arbitraries.integers().between(0, 120).flatMap(d0 -> {
            Arbitrary<Integer> early = Arbitraries.integers().between(d0, d0 + 60);
            Arbitrary<Integer> probation = Arbitraries.integers().between(d0 + 30, d0 + 180).injectNull(0.05);
            Arbitrary<List<ShiftR>> shadows = shift(Arbitraries.just(ShiftRole.Shadow),
                    Arbitraries.integers().between(d0 + 10, d0 + 160)).list().ofMinSize(1).ofMaxSize(2);
            Arbitrary<List<ShiftR>> adminShadows = shift(Arbitraries.just(ShiftRole.AdminShadow),
                    Arbitraries.integers().between(d0 + 100, d0 + 360)).list().ofMinSize(1).ofMaxSize(2);
            Arbitrary<List<ShiftR>> later = shift(Arbitraries.frequency(Tuple.of(3, ShiftRole.Secondary),
                    Tuple.of(1, ShiftRole.Primary), Tuple.of(1, ShiftRole.OnCall)),
                    Arbitraries.integers().between(d0 + 150, d0 + 500)).list().ofMaxSize(5);
            Arbitrary<List<ShiftR>> shifts = Combinators.combine(shadows, adminShadows, later).as((a, b, c) -> {
                List<ShiftR> all = new ArrayList<>(a);
                all.addAll(b);
                all.addAll(c);
                return all;
            });
            Arbitrary<Boolean> confirmed = Arbitraries.frequency(Tuple.of(30, true), Tuple.of(1, false));
            Arbitrary<String> approver = Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(Specs.TECH_LEAD)),
                    Tuple.of(1, Arbitraries.of(PEOPLE)));
            Arbitrary<ApprovalR> approval = Combinators.combine(approver, early, confirmed, confirmed, confirmed, confirmed)
                    .as(ApprovalR::new).injectNull(0.05);
            Arbitrary<ClearanceLevel> clearance = Arbitraries.frequency(Tuple.of(20, ClearanceLevel.BPSS),
                    Tuple.of(1, ClearanceLevel.None), Tuple.of(2, ClearanceLevel.SC), Tuple.of(1, ClearanceLevel.DV));
            Arbitrary<List<ExceptionR>> exceptions = exception(Arbitraries.integers().between(d0, d0 + 500)).list().ofMaxSize(2);
            Arbitrary<List<AbsenceR>> absences = absence(Arbitraries.integers().between(d0, d0 + 500)).list().ofMaxSize(1);
            return Combinators.combine(clearance, early, probation, approval, shifts, exceptions, absences).as(SpecR::new);
        });
    }

    /** Exceptions close together, with clearance (perhaps late) and perhaps an absence around them. */
    static Arbitrary<SpecR> exceptionSpec() {
        Arbitrary<Integer> near = Arbitraries.integers().between(100, 160);
        Arbitrary<ClearanceLevel> clearance = clearanceLevel().injectNull(0.1);
        Arbitrary<Integer> clearanceDay = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(0, 100)),
                Tuple.of(1, near));
        Arbitrary<ApprovalR> approval = approval(Arbitraries.integers().between(0, 160)).injectNull(0.5);
        Arbitrary<List<ShiftR>> shifts = shift(Arbitraries.of(ShiftRole.class), near).list().ofMaxSize(2);
        Arbitrary<List<AbsenceR>> absences = absence(Arbitraries.integers().between(40, 160)).list().ofMaxSize(1);
        return Combinators.combine(clearance, clearanceDay, near.injectNull(0.5), approval, shifts,
                exception(near).list().ofMinSize(1).ofMaxSize(3), absences).as(SpecR::new);
    }

    static Arbitrary<SpecR> specs() {
        return Arbitraries.frequencyOf(Tuple.of(1, randomSpec()), Tuple.of(3, careerSpec()), Tuple.of(1, exceptionSpec()));
    }

    static Arbitrary<PolicyR> policies() {
        Arbitrary<String> zone = Arbitraries.frequency(Tuple.of(6, "Europe/London"), Tuple.of(1, "UTC"),
                Tuple.of(1, "America/New_York"));
        Arbitrary<ClearanceLevel> required = Arbitraries.frequency(Tuple.of(10, ClearanceLevel.BPSS),
                Tuple.of(1, ClearanceLevel.None), Tuple.of(1, ClearanceLevel.SC), Tuple.of(1, ClearanceLevel.DV));
        Arbitrary<Boolean> waive = Arbitraries.of(true, false);
        Arbitrary<List<String>> techLeads = Arbitraries.frequency(Tuple.of(6, List.<String>of()),
                Tuple.of(2, List.of(Specs.TECH_LEAD)), Tuple.of(1, List.of("other.lead@example.gov.uk")),
                Tuple.of(1, List.of(" TECH.lead@example.gov.uk", "other.lead@example.gov.uk")));
        Map<String, ApproverRole> both = new LinkedHashMap<>();
        both.put(Specs.HEAD_OF_TECH, ApproverRole.HeadOfTechnology);
        both.put(Specs.LEAD_DEV, ApproverRole.LeadDeveloper);
        Map<String, ApproverRole> withEngineer = new LinkedHashMap<>(both);
        withEngineer.put(ENGINEER, ApproverRole.LeadDeveloper);
        Arbitrary<Map<String, ApproverRole>> approvers = Arbitraries.frequency(Tuple.of(5, both), Tuple.of(1, Map.of()),
                Tuple.of(1, Map.of(Specs.LEAD_DEV, ApproverRole.LeadDeveloper)), Tuple.of(1, withEngineer));
        Arbitrary<Integer> minShadow = Arbitraries.frequency(Tuple.of(4, 1), Tuple.of(1, 0), Tuple.of(1, 2));
        Arbitrary<Integer> secondaries = Arbitraries.frequency(Tuple.of(4, 2), Tuple.of(1, 0), Tuple.of(1, 1), Tuple.of(1, 3));
        Arbitrary<Integer> longAbsence = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(42)),
                Tuple.of(1, Arbitraries.integers().between(1, 60)));
        Arbitrary<Integer> maxException = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(30)),
                Tuple.of(1, Arbitraries.integers().between(1, 45)));
        Arbitrary<Boolean> includeDeploy = Arbitraries.frequency(Tuple.of(4, true), Tuple.of(1, false));
        return Combinators.combine(List.of(zone.asGeneric(), required.asGeneric(), waive.asGeneric(), techLeads.asGeneric(),
                approvers.asGeneric(), minShadow.asGeneric(), secondaries.asGeneric(), longAbsence.asGeneric(),
                maxException.asGeneric(), includeDeploy.asGeneric())).as(AccessRulesPropertiesTest::policy);
    }

    @SuppressWarnings("unchecked")
    private static PolicyR policy(List<Object> v) {
        return new PolicyR((String) v.get(0), (ClearanceLevel) v.get(1), (Boolean) v.get(2), (List<String>) v.get(3),
                (Map<String, ApproverRole>) v.get(4), (Integer) v.get(5), (Integer) v.get(6), (Integer) v.get(7),
                (Integer) v.get(8), (Boolean) v.get(9));
    }

    /** Every instant a spec names, as the rules read them: dates at the start of the day in the policy zone. */
    static List<Instant> factInstants(EngineerAccessSpec s, EffectivePolicy p) {
        List<Instant> out = new ArrayList<>();
        ZoneId z = p.zone();
        if (s.clearance != null && s.clearance.grantedOn != null) {
            out.add(start(s.clearance.grantedOn, z));
        }
        if (s.probation != null && s.probation.passedOn != null) {
            out.add(start(s.probation.passedOn, z));
        }
        if (s.deployApproval != null) {
            out.add(start(s.deployApproval.approvedOn, z));
        }
        for (Shift sh : s.shifts) {
            out.add(OffsetDateTime.parse(sh.startTime).toInstant());
            out.add(OffsetDateTime.parse(sh.endTime).toInstant());
        }
        for (AdminException e : s.exceptions) {
            out.add(OffsetDateTime.parse(e.startTime).toInstant());
            out.add(OffsetDateTime.parse(e.expiryTime).toInstant());
        }
        for (Absence a : s.absences) {
            out.add(threshold(a, p));
            if (a.until != null) {
                out.add(start(a.until, z));
            }
        }
        return out;
    }

    static Instant start(String day, ZoneId zone) {
        return LocalDate.parse(day).atStartOfDay(zone).toInstant();
    }

    /** The first instant at which an absence has lasted more than longAbsenceDays (decided: + 1 s). */
    static Instant threshold(Absence a, EffectivePolicy p) {
        return LocalDate.parse(a.from).plusDays(p.longAbsenceDays()).atStartOfDay(p.zone()).toInstant().plusSeconds(1);
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(specs(), policies()).flatAs((specR, policyR) -> {
            List<Instant> facts = factInstants(specR.build(), policyR.build());
            Arbitrary<Instant> random = Arbitraries.longs().between(0, (WINDOW_DAYS + 60) * 86400L)
                    .map(BASE::plusSeconds);
            Arbitrary<Duration> delta = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(Duration.ZERO, Duration.ofNanos(-1),
                    Duration.ofNanos(1), Duration.ofSeconds(-1), Duration.ofSeconds(1), Duration.ofHours(-1), Duration.ofHours(1))),
                    Tuple.of(2, Arbitraries.longs().between(-10 * 86400L, 10 * 86400L).map(Duration::ofSeconds)));
            Arbitrary<Instant> near = facts.isEmpty() ? random
                    : Combinators.combine(Arbitraries.of(facts), delta).as(Instant::plus);
            // Inside an exception's window, where it may be Active: random instants and instants near a fact reach
            // that too rarely for the coverage check below to hold for every seed.
            Arbitrary<Instant> during = specR.exceptions().isEmpty() ? near
                    : Combinators.combine(Arbitraries.of(specR.exceptions()), Arbitraries.doubles().between(0, 1))
                            .as((e, f) -> BASE.plusSeconds(e.startSecond() + (long) (f * e.seconds())));
            return Arbitraries.frequencyOf(Tuple.of(2, random), Tuple.of(4, near), Tuple.of(1, during))
                    .map(now -> new Case(specR, policyR, now));
        });
    }

    private static boolean clearanceEffective(EngineerAccessSpec s, EffectivePolicy p, Instant t) {
        if (p.requiredClearance() == ClearanceLevel.None) {
            return true;
        }
        return s.clearance != null && s.clearance.level.compareTo(p.requiredClearance()) >= 0
                && s.clearance.grantedOn != null && !t.isBefore(start(s.clearance.grantedOn, p.zone()));
    }

    /** An absence still going on at t (no return yet), long by the rules, that has passed its threshold. */
    private static boolean revokedByOngoingLongAbsence(EngineerAccessSpec s, EffectivePolicy p, Instant t) {
        for (Absence a : s.absences) {
            LocalDate from = LocalDate.parse(a.from);
            boolean isLong = a.until == null || LocalDate.parse(a.until).isAfter(from.plusDays(p.longAbsenceDays()));
            boolean ongoing = a.until == null || t.isBefore(start(a.until, p.zone()));
            if (isLong && ongoing && !t.isBefore(threshold(a, p))) {
                return true;
            }
        }
        return false;
    }

    /** Records what the generated cases reach, and checks that they reach every kind of decision often enough. */
    private static void collectStatistics(Decision d) {
        Statistics.label("level").collect(d.level()).coverage(check -> {
            check.check(Level.Deploy).percentage(p -> p >= 4);
            check.check(Level.Admin).percentage(p -> p >= 4);
        });
        Statistics.label("earned Admin").collect(d.earnedAdmin()).coverage(check -> check.check(true).percentage(p -> p >= 3));
        Statistics.label("revoked").collect(d.revoked()).coverage(check -> check.check(true).percentage(p -> p >= 2));
        Statistics.label("has next").collect(d.nextTransitionTime() != null);
        Statistics.label("exception states").collect(d.exceptions().stream().map(e -> e.state).distinct().sorted().toList().toString());
        Statistics.label("active exception").collect(d.exceptions().stream().anyMatch(e -> e.state == ExceptionState.Active))
                .coverage(check -> check.check(true).percentage(p -> p >= 1));
        Statistics.label("rota").collect(d.rota().eligible.size());
    }

    // ------------------------------------------------------------------ properties

    /** (a) Never Admin without clearance effective at that instant, unless waived for an Active exception. */
    @Property(tries = 400)
    void neverAdminWithoutClearance(@ForAll("cases") Case c) {
        EngineerAccessSpec spec = c.spec();
        EffectivePolicy policy = c.policy();
        Decision d = AccessRules.decide(spec, policy, c.now());
        collectStatistics(d);
        if (d.level() == Level.Admin && !clearanceEffective(spec, policy, c.now())) {
            assertThat(policy.exceptionsWaiveClearance()).as("Admin without clearance needs exceptionsWaiveClearance").isTrue();
            assertThat(d.earnedAdmin()).as("earned Admin needs clearance").isFalse();
            assertThat(d.exceptions()).as("Admin without clearance must come from an Active exception")
                    .anyMatch(e -> e.state == ExceptionState.Active);
        }
        if (d.earnedAdmin()) {
            assertThat(clearanceEffective(spec, policy, c.now())).isTrue();
        }
    }

    /** (b) Nothing while an ongoing long absence has passed its threshold. */
    /**
     * Decision 78: what the spec alone allows bounds every policy's decision, so a frozen operator that removes a
     * binding beyond it removes nothing some policy could grant. Checked on the bindings the decision wants.
     */
    @Property(tries = 1000)
    void noPolicyGrantsABindingBeyondWhatAnyPolicyCould(@ForAll("cases") Case c) {
        EngineerAccessSpec spec = c.spec();
        EffectivePolicy policy = c.policy();
        Decision d = AccessRules.decide(spec, policy, c.now());
        AnyPolicy.Most most = AnyPolicy.of(spec, c.now());
        Statistics.label("most").collect(most.admin() ? "admin" : most.deploy() ? "deploy" : "none");
        for (DesiredBinding b : ManagedBindings.desired("jane", d, policy, NAMESPACES)) {
            if (b.level().equals(ManagedBindings.ADMIN)) {
                assertThat(most.admin()).as("an Admin binding %s beyond what any policy could grant", b).isTrue();
            } else {
                assertThat(most.deploy() || most.admin()).as("a Deploy binding %s beyond what any policy could grant", b).isTrue();
            }
        }
    }

    @Property(tries = 400)
    void nothingDuringALongAbsence(@ForAll("cases") Case c) {
        EngineerAccessSpec spec = c.spec();
        EffectivePolicy policy = c.policy();
        Decision d = AccessRules.decide(spec, policy, c.now());
        boolean revoked = revokedByOngoingLongAbsence(spec, policy, c.now());
        Statistics.label("revoked").collect(revoked);
        assertThat(d.revoked()).as("revoked").isEqualTo(revoked);
        if (revoked) {
            assertThat(d.level()).isEqualTo(Level.None);
            assertThat(d.supervised()).isFalse();
            assertThat(d.accessExpiryTime()).isNull();
            assertThat(d.exceptions()).noneMatch(e -> e.state == ExceptionState.Active);
            assertThat(d.rota().eligible).isEmpty();
            assertThat(d.unmet()).anyMatch(u -> u.level == Level.Deploy && u.code == UnmetCode.LongAbsence);
            assertThat(d.unmet()).anyMatch(u -> u.level == Level.Admin && u.code == UnmetCode.LongAbsence);
            assertThat(ManagedBindings.desired("jane-doe", d, policy, NAMESPACES)).isEmpty();
        } else {
            assertThat(d.unmet()).noneMatch(u -> u.code == UnmetCode.LongAbsence);
        }
    }

    /** Ways to break a valid spec, each with the field its problem must name. */
    record Corruption(String name, Consumer<EngineerAccessSpec> apply, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Provide
    Arbitrary<Corruption> corruptions() {
        return Arbitraries.of(
                new Corruption("shift end before start", s -> {
                    s.shifts.add(0, shift(ShiftRole.Shadow, "2026-05-02T09:00:00Z", "2026-05-01T09:00:00Z"));
                }, "spec.shifts[0].endTime"),
                new Corruption("exception expiry before start", s -> s.exceptions.add(0, exception("2026-05-02T09:00:00Z",
                        "2026-05-01T09:00:00Z", "Incident")), "spec.exceptions[0].expiryTime"),
                new Corruption("exception without expiryTime", s -> s.exceptions.add(0, exception("2026-05-02T09:00:00Z",
                        null, "Incident")), "spec.exceptions[0].expiryTime"),
                new Corruption("exception with empty businessCase", s -> s.exceptions.add(0, exception("2026-05-02T09:00:00Z",
                        "2026-05-03T09:00:00Z", "")), "spec.exceptions[0].businessCase"),
                new Corruption("unparsable approval date", s -> {
                    s.deployApproval = new DeployApproval();
                    s.deployApproval.approvedBy = Specs.TECH_LEAD;
                    s.deployApproval.approvedOn = "2026-13-01";
                }, "spec.deployApproval.approvedOn"),
                new Corruption("unparsable shift instant", s -> s.shifts.add(0, shift(ShiftRole.Secondary, "2026-05-02T09:00",
                        "2026-05-03T09:00:00Z")), "spec.shifts[0].startTime"),
                new Corruption("missing subject", s -> s.subject = null, "spec.subject"),
                new Corruption("a user name as the subject, no spec.email", s -> s.subject.name = "jane", "spec.email"),
                new Corruption("spec.email without @", s -> s.email = "jane.doe", "spec.email"),
                new Corruption("BPSS without grantedOn", s -> {
                    s.clearance = new Clearance();
                    s.clearance.level = ClearanceLevel.BPSS;
                }, "spec.clearance.grantedOn"),
                new Corruption("until before from", s -> {
                    Absence a = new Absence();
                    a.from = "2026-05-02";
                    a.until = "2026-05-01";
                    s.absences.add(0, a);
                }, "spec.absences[0].until"));
    }

    private static Shift shift(ShiftRole role, String start, String end) {
        Shift s = new Shift();
        s.role = role;
        s.startTime = start;
        s.endTime = end;
        return s;
    }

    private static AdminException exception(String start, String expiry, String businessCase) {
        AdminException e = new AdminException();
        e.approvedBy = Specs.HEAD_OF_TECH;
        e.supervisor = Specs.SUPERVISOR;
        e.businessCase = businessCase;
        e.startTime = start;
        e.expiryTime = expiry;
        return e;
    }

    /** (c) An invalid spec gives level None and no bindings, naming the broken field. */
    @Property(tries = 300)
    void invalidSpecGrantsNothing(@ForAll("cases") Case c, @ForAll("corruptions") Corruption corruption) {
        EngineerAccessSpec spec = c.spec();
        EffectivePolicy policy = c.policy();
        corruption.apply().accept(spec);
        Decision d = AccessRules.decide(spec, policy, c.now());
        assertThat(d.problems()).extracting(Problem::field).contains(corruption.field());
        assertThat(SpecReader.problems(spec, policy)).isEqualTo(d.problems());
        assertThat(d.level()).isEqualTo(Level.None);
        assertThat(d.supervised()).isFalse();
        assertThat(d.nextTransitionTime()).isNull();
        assertThat(d.accessExpiryTime()).isNull();
        assertThat(d.exceptions()).isEmpty();
        assertThat(d.rota().eligible).isEmpty();
        assertThat(ManagedBindings.desired("jane-doe", d, policy, NAMESPACES)).isEmpty();
    }

    /**
     * (c2) One person, every name (decided): the engineer known as User {@code jane.doe} with spec.email
     * {@code jane.doe@example.gov.uk} is decided exactly as the engineer whose subject is that address, when the
     * deploy approver and the exception supervisors who are the engineer write either name (here: alternately).
     */
    @Property(tries = 300)
    void theEngineerIsOnePersonByEitherName(@ForAll("cases") Case c) {
        EngineerAccessSpec byAddress = c.spec();
        EffectivePolicy policy = c.policy();
        EngineerAccessSpec byUserName = c.spec();
        byUserName.subject.name = "jane.doe";
        byUserName.email = " Jane.Doe@example.gov.uk";
        int[] seen = {0};
        java.util.function.UnaryOperator<String> eitherName = name -> name != null && Names.key(name).equals(ENGINEER)
                && seen[0]++ % 2 == 0 ? "JANE.DOE" : name;
        if (byUserName.deployApproval != null) {
            byUserName.deployApproval.approvedBy = eitherName.apply(byUserName.deployApproval.approvedBy);
        }
        for (AdminException e : byUserName.exceptions) {
            e.supervisor = eitherName.apply(e.supervisor);
        }
        Statistics.label("the engineer named in another name").collect(seen[0] > 0);
        Decision d = AccessRules.decide(byUserName, policy, c.now());
        assertThat(d.problems()).isEmpty();
        assertThat(d).isEqualTo(AccessRules.decide(byAddress, policy, c.now()));
    }

    /**
     * (d) nextTransitionTime is exact: after now; the decision at it differs; just before it the decision is
     * still the current one. Absent: nothing changes later.
     */
    @Property(tries = 400)
    void nextTransitionTimeIsExact(@ForAll("cases") Case c) {
        EngineerAccessSpec spec = c.spec();
        EffectivePolicy policy = c.policy();
        Instant now = c.now();
        Decision d = AccessRules.decide(spec, policy, now);
        Decision here = d.withNextTransition(null);
        Instant next = d.nextTransitionTime();
        Statistics.label("has next").collect(next != null);
        if (next != null) {
            assertThat(next).isAfter(now);
            Decision atNext = AccessRules.decide(spec, policy, next).withNextTransition(null);
            assertThat(atNext).as("the decision at nextTransitionTime differs").isNotEqualTo(here);
            Decision justBefore = AccessRules.decide(spec, policy, next.minusNanos(1)).withNextTransition(null);
            assertThat(justBefore).as("the decision 1 ns before nextTransitionTime").isEqualTo(here);
            Instant middle = now.plus(Duration.between(now, next).dividedBy(2));
            Decision atMiddle = AccessRules.decide(spec, policy, middle);
            assertThat(atMiddle.withNextTransition(null)).as("the decision half way").isEqualTo(here);
            assertThat(atMiddle.nextTransitionTime()).isEqualTo(next);
        } else {
            for (Duration later : List.of(Duration.ofNanos(1), Duration.ofDays(1), Duration.ofDays(365), Duration.ofDays(3650))) {
                assertThat(AccessRules.decide(spec, policy, now.plus(later)))
                        .as("no transition: the decision %s later", later).isEqualTo(d);
            }
        }
    }

    /** (e) Deploy never without an approval dated on or before the instant (and complete, not self-approved). */
    @Property(tries = 400)
    void deployNeedsAnApprovalDatedOnOrBefore(@ForAll("cases") Case c) {
        EngineerAccessSpec spec = c.spec();
        EffectivePolicy policy = c.policy();
        Decision d = AccessRules.decide(spec, policy, c.now());
        Statistics.label("deploy on its own").collect(d.deployOnItsOwn());
        if (d.level() == Level.Deploy || d.deployOnItsOwn()) {
            assertThat(spec.deployApproval).isNotNull();
            assertThat(start(spec.deployApproval.approvedOn, policy.zone())).isBeforeOrEqualTo(c.now());
            assertThat(Names.key(spec.deployApproval.approvedBy)).isNotEqualTo(ENGINEER);
            Confirmations k = spec.deployApproval.confirmations;
            assertThat(List.of(k.codeReview, k.releaseResponsibilities, k.rollback, k.gettingHelp)).containsOnly(true);
            assertThat(clearanceEffective(spec, policy, c.now())).isTrue();
        }
        List<DesiredBinding> bindings = ManagedBindings.desired("jane-doe", d, policy, NAMESPACES);
        if (bindings.stream().anyMatch(b -> b.level().equals(ManagedBindings.DEPLOY))) {
            assertThat(d.deployOnItsOwn() || d.level() == Level.Admin && policy.includeDeploy()).isTrue();
        }
        if (bindings.stream().anyMatch(b -> b.level().equals(ManagedBindings.ADMIN))) {
            assertThat(d.level()).isEqualTo(Level.Admin);
        }
    }

    /** Supervision and expiry follow the level: accessExpiryTime only for Admin from exceptions alone. */
    @Property(tries = 400)
    void supervisionAndExpiryFollowTheSource(@ForAll("cases") Case c) {
        EngineerAccessSpec spec = c.spec();
        Decision d = AccessRules.decide(spec, c.policy(), c.now());
        List<ExceptionStatus> active = d.exceptions().stream().filter(e -> e.state == ExceptionState.Active).toList();
        assertThat(d.level() == Level.Admin).isEqualTo(d.earnedAdmin() || !active.isEmpty());
        if (d.supervised()) {
            assertThat(d.level()).isEqualTo(Level.Admin);
        }
        if (d.level() == Level.Admin && !d.earnedAdmin()) {
            assertThat(d.supervised()).as("Admin by exception is supervised").isTrue();
            Instant latest = active.stream().map(e -> OffsetDateTime.parse(spec.exceptions.get(e.index).expiryTime).toInstant())
                    .max(Instant::compareTo).orElseThrow();
            assertThat(d.accessExpiryTime()).isEqualTo(latest);
        } else {
            assertThat(d.accessExpiryTime()).isNull();
        }
        if (!d.earnedAdmin()) {
            assertThat(d.rota().eligible).as("rota eligibility needs earned Admin").isEmpty();
        }
        for (ExceptionStatus e : d.exceptions()) {
            assertThat(e.reason == null).isEqualTo(e.state != ExceptionState.Rejected);
        }
    }

    @Provide
    Arbitrary<Tuple.Tuple2<SpecR, PolicyR>> careers() {
        return Combinators.combine(specs(), policies()).as(Tuple::of);
    }

    /**
     * (f) docs/access-flow.md is complete: walked through time from before its first fact, every change of stage
     * an engineer makes without any edit is an edge the diagram draws, named by the move that AccessFlow gives it.
     */
    @Property(tries = 400)
    void everyChangeOverTimeIsAnEdgeOfTheAccessFlow(@ForAll("careers") Tuple.Tuple2<SpecR, PolicyR> career) {
        EngineerAccessSpec spec = career.get1().build();
        EffectivePolicy policy = career.get2().build();
        List<Timeline.Period> periods = Timeline.of("jane-doe", spec, policy, Timeline.BEGINNING, null, 10_000);
        assertThat(periods.get(periods.size() - 1).end()).as("the timeline ends").isNull();
        for (int i = 1; i < periods.size(); i++) {
            Timeline.Period before = periods.get(i - 1);
            Timeline.Period now = periods.get(i);
            assertThat(before.end()).isEqualTo(now.start());
            AccessFlow.Transition t = AccessFlow.between(before.stage(), before.decision().accessExpiryTime(), now.decision(), spec,
                    now.start());
            if (before.stage() == now.stage()) {
                assertThat(t).isNull();
                continue;
            }
            assertThat(t).as("a transition at %s", now.start()).isNotNull();
            Statistics.label("move").collect(t.move());
            assertThat(t.move().has(before.stage(), now.stage(), true))
                    .as("%s -> %s at %s is drawn as an edge of %s that happens by time", before.stage(), now.stage(), now.start(), t.move())
                    .isTrue();
            assertThat(t.fact()).as("the fact behind %s", t.move()).isNotNull().startsWith("spec.");
        }
        Statistics.label("move").coverage(check -> {
            for (AccessFlow.Move move : List.of(AccessFlow.Move.DeployGranted, AccessFlow.Move.AdminShadowShiftStarted,
                    AccessFlow.Move.ExceptionStarted, AccessFlow.Move.AdminShadowShiftEnded, AccessFlow.Move.ExceptionExpired,
                    AccessFlow.Move.LongAbsence)) {
                check.check(move).count(n -> n > 0);
            }
        });
    }
}
