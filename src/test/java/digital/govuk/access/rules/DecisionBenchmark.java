package digital.govuk.access.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.Clearance;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.Confirmations;
import digital.govuk.access.api.v1alpha1.DeployApproval;
import digital.govuk.access.api.v1alpha1.Employment;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerRole;
import digital.govuk.access.api.v1alpha1.ExceptionApprover;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.Probation;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.ShiftRole;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.api.v1alpha1.SubjectKind;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;

/**
 * Decisions per second for 10,000 engineers on one thread: {@code make bench-decision}. Not a test (it only
 * prints; it exits 0 either way). The engineers are a deterministic, realistic mix of every stage of the rules.
 */
public final class DecisionBenchmark {
    static final int ENGINEERS = 10_000;
    static final int WARMUP_PASSES = Integer.getInteger("bench.warmup", 5);
    /**
     * Warm-up lasts at least this long, however many passes that takes: 5 passes alone (a fraction of a second) left
     * the optimising compiler behind on a busy 2-core machine, and the figure moved between 214,000 and 459,000.
     */
    static final long WARMUP_MILLIS = Long.getLong("bench.warmupMillis", 3000);
    /** More passes (-Dbench.passes=200) give a profiler more samples. */
    static final int MEASURED_PASSES = Integer.getInteger("bench.passes", 15);
    static final double TARGET_PER_SECOND = 300_000;
    static final int NAMESPACES = 20;
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static final long SEED = 20261202L;

    static final String[] TECH_LEADS = {"tess.lead@example.gov.uk", "tom.lead@example.gov.uk", "tariq.lead@example.gov.uk"};
    static final String HEAD_OF_TECH = "head.of.tech@example.gov.uk";
    static final String LEAD_DEV = "lee.lead-dev@example.gov.uk";

    /** Blackhole: results are folded in so the JIT cannot drop the work. */
    static long sink;

    // To profile: java -XX:ActiveProcessorCount=1 -XX:StartFlightRecording=filename=target/decide.jfr,settings=profile
    //   -Dbench.passes=200 -cp ... digital.govuk.access.rules.DecisionBenchmark ; jfr print --events jdk.ExecutionSample target/decide.jfr

    private DecisionBenchmark() {
    }

    public static void main(String[] args) {
        EffectivePolicy policy = policy();
        List<String> kinds = new ArrayList<>(ENGINEERS);
        List<EngineerAccessSpec> specs = engineers(new SplittableRandom(SEED), kinds);
        List<String> names = new ArrayList<>(ENGINEERS);
        for (int i = 0; i < ENGINEERS; i++) {
            names.add(String.format("engineer-%05d", i));
        }

        System.out.println("DecisionBenchmark: AccessRules.decide(spec, policy, instant) on one thread");
        System.out.println("  machine: " + machine());
        System.out.println("  " + ENGINEERS + " engineers (seed " + SEED + "), default policy + 2 exception approvers, at " + NOW);

        // Warm up, and check the mix.
        Decision[] decisions = new Decision[ENGINEERS];
        int warmups = warmUp(() -> pass(specs, policy, decisions));
        report(kinds, decisions);

        double[] perSecond = new double[MEASURED_PASSES];
        for (int pass = 0; pass < MEASURED_PASSES; pass++) {
            long t0 = System.nanoTime();
            pass(specs, policy, decisions);
            long elapsed = System.nanoTime() - t0;
            perSecond[pass] = ENGINEERS / (elapsed / 1e9);
        }
        double[] sorted = perSecond.clone();
        Arrays.sort(sorted);
        double median = median(sorted);
        System.out.printf("  decide: %d warm-up + %d measured passes of %d decisions%n", warmups, MEASURED_PASSES, ENGINEERS);
        System.out.printf("  decisions/s: median %,.0f   min %,.0f   max %,.0f   (%.2f us per decision, median)%n",
                median, sorted[0], sorted[sorted.length - 1], 1e6 / median);
        System.out.printf("  target >= %,.0f decisions/s on one core: %s%n", TARGET_PER_SECOND,
                median >= TARGET_PER_SECOND ? "PASS" : "BELOW TARGET");

        bindings(names, decisions, policy);
        System.out.println("  (checksum " + sink + ")");
    }

    /** Runs {@code pass} at least {@link #WARMUP_PASSES} times and for at least {@link #WARMUP_MILLIS}; how many times. */
    private static int warmUp(Runnable pass) {
        long until = System.nanoTime() + WARMUP_MILLIS * 1_000_000;
        int passes = 0;
        while (passes < WARMUP_PASSES || System.nanoTime() < until) {
            pass.run();
            passes++;
        }
        return passes;
    }

    private static void pass(List<EngineerAccessSpec> specs, EffectivePolicy policy, Decision[] out) {
        long acc = 0;
        for (int i = 0; i < out.length; i++) {
            Decision d = AccessRules.decide(specs.get(i), policy, NOW);
            out[i] = d;
            acc += d.level().ordinal() + (d.nextTransitionTime() == null ? 0 : d.nextTransitionTime().getEpochSecond() & 7);
        }
        sink += acc;
    }

    /** ManagedBindings.desired for every engineer over 20 namespaces. */
    private static void bindings(List<String> names, Decision[] decisions, EffectivePolicy policy) {
        List<NamespaceInfo> namespaces = namespaces(true);
        long bindingCount = bindingsPass(names, decisions, policy, namespaces);
        warmUp(() -> bindingsPass(names, decisions, policy, namespaces));
        double[] perSecond = new double[MEASURED_PASSES];
        for (int pass = 0; pass < MEASURED_PASSES; pass++) {
            long t0 = System.nanoTime();
            bindingsPass(names, decisions, policy, namespaces);
            perSecond[pass] = decisions.length / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(perSecond);
        System.out.printf("  ManagedBindings.desired over %d namespaces (one terminating): median %,.0f engineers/s   min %,.0f   max %,.0f"
                + "   (%,d bindings per pass)%n", NAMESPACES, median(perSecond), perSecond[0], perSecond[perSecond.length - 1], bindingCount);
    }

    private static long bindingsPass(List<String> names, Decision[] decisions, EffectivePolicy policy, List<NamespaceInfo> namespaces) {
        long count = 0;
        for (int i = 0; i < decisions.length; i++) {
            List<DesiredBinding> desired = ManagedBindings.desired(names.get(i), decisions[i], policy, namespaces);
            count += desired.size();
        }
        sink += count;
        return count;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void report(List<String> kinds, Decision[] decisions) {
        Map<Level, Integer> levels = new EnumMap<>(Level.class);
        int supervised = 0;
        int invalid = 0;
        int withNext = 0;
        int expiring = 0;
        Map<String, Map<Level, Integer>> byKind = new LinkedHashMap<>();
        for (int i = 0; i < decisions.length; i++) {
            Decision d = decisions[i];
            levels.merge(d.level(), 1, Integer::sum);
            byKind.computeIfAbsent(kinds.get(i), k -> new EnumMap<>(Level.class)).merge(d.level(), 1, Integer::sum);
            supervised += d.supervised() ? 1 : 0;
            invalid += d.specValid() ? 0 : 1;
            withNext += d.nextTransitionTime() != null ? 1 : 0;
            expiring += d.accessExpiryTime() != null ? 1 : 0;
        }
        System.out.printf("  levels: None %d, Deploy %d, Admin %d (supervised %d, time-limited %d); invalid specs %d;"
                + " with a next transition %d%n", levels.getOrDefault(Level.None, 0), levels.getOrDefault(Level.Deploy, 0),
                levels.getOrDefault(Level.Admin, 0), supervised, expiring, invalid, withNext);
        StringBuilder line = new StringBuilder("  by stage:");
        byKind.forEach((kind, count) -> line.append(' ').append(kind).append(' ').append(count));
        System.out.println(line);
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " processor(s) visible to the JVM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version")
                + " (" + System.getProperty("java.vm.name") + "), max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB";
    }

    /**
     * The benchmark's 20 namespaces: every second selected for Deploy, every third for Admin, the last one terminating
     * when {@code lastTerminating}. Also used by operator.cache.CacheFootprint.
     */
    public static List<NamespaceInfo> namespaces(boolean lastTerminating) {
        List<NamespaceInfo> namespaces = new ArrayList<>();
        for (int i = 0; i < NAMESPACES; i++) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("kubernetes.io/metadata.name", "ns-" + i);
            labels.put("team", "team-" + (i % 4));
            if (i % 2 == 0) {
                labels.put(EffectivePolicy.DEPLOY_LABEL, "true");
            }
            if (i % 3 == 0) {
                labels.put(EffectivePolicy.ADMIN_LABEL, "true");
            }
            namespaces.add(new NamespaceInfo("ns-" + i, Map.copyOf(labels), lastTerminating && i == NAMESPACES - 1));
        }
        return namespaces;
    }

    public static EffectivePolicy policy() {
        AccessPolicySpec spec = new AccessPolicySpec();
        spec.techLeads = new ArrayList<>(List.of(TECH_LEADS));
        spec.exceptionApprovers = new ArrayList<>(List.of(new ExceptionApprover(HEAD_OF_TECH, ApproverRole.HeadOfTechnology),
                new ExceptionApprover(LEAD_DEV, ApproverRole.LeadDeveloper)));
        PolicyReader.Result read = PolicyReader.read(spec);
        if (!read.valid()) {
            throw new IllegalStateException("benchmark policy is invalid: " + read.problems());
        }
        return read.policy();
    }

    // The engineers. Stages and weights (per 100): new starter 12, deploy 28, shadowing 8, on the AdminShadow shift 4,
    // earned Admin 14, rota 12, exception 8, absence 10, invalid 4. Dates are spread around NOW.

    public static List<EngineerAccessSpec> engineers(SplittableRandom r, List<String> kinds) {
        List<EngineerAccessSpec> out = new ArrayList<>(ENGINEERS);
        for (int i = 0; i < ENGINEERS; i++) {
            int roll = r.nextInt(100);
            String kind;
            EngineerAccessSpec s;
            if (roll < 12) {
                kind = "new-starter";
                s = newStarter(r, i);
            } else if (roll < 40) {
                kind = "deploy";
                s = deploy(r, i);
            } else if (roll < 48) {
                kind = "shadowing";
                s = shadowing(r, i);
            } else if (roll < 52) {
                kind = "admin-shadow";
                s = adminShadow(r, i);
            } else if (roll < 66) {
                kind = "admin";
                s = admin(r, i);
            } else if (roll < 78) {
                kind = "rota";
                s = rota(r, i);
            } else if (roll < 86) {
                kind = "exception";
                s = exception(r, i);
            } else if (roll < 96) {
                kind = "absence";
                s = absence(r, i);
            } else {
                kind = "invalid";
                s = invalid(r, i);
            }
            kinds.add(kind);
            out.add(s);
        }
        return out;
    }

    private static EngineerAccessSpec base(SplittableRandom r, int i) {
        EngineerAccessSpec s = new EngineerAccessSpec();
        s.fullName = "Engineer " + i;
        s.role = EngineerRole.values()[r.nextInt(EngineerRole.values().length)];
        s.employment = r.nextInt(4) == 0 ? Employment.Contractor : Employment.CivilServant;
        s.subject = new Subject(SubjectKind.User, "engineer." + i + "@example.gov.uk");
        return s;
    }

    private static String day(int daysFromNow) {
        return LocalDate.ofInstant(NOW, ZoneOffset.UTC).plusDays(daysFromNow).toString();
    }

    /** 09:00Z on a day relative to NOW. */
    private static Instant nine(int daysFromNow) {
        return LocalDate.ofInstant(NOW, ZoneOffset.UTC).plusDays(daysFromNow).atTime(9, 0).toInstant(ZoneOffset.UTC);
    }

    private static void clearance(EngineerAccessSpec s, ClearanceLevel level, int daysFromNow) {
        s.clearance = new Clearance();
        s.clearance.level = level;
        s.clearance.grantedOn = day(daysFromNow);
    }

    private static void approval(EngineerAccessSpec s, SplittableRandom r, int daysFromNow, boolean complete) {
        DeployApproval a = new DeployApproval();
        a.approvedBy = TECH_LEADS[r.nextInt(TECH_LEADS.length)];
        a.approvedOn = day(daysFromNow);
        a.confirmations = new Confirmations();
        a.confirmations.codeReview = true;
        a.confirmations.releaseResponsibilities = true;
        a.confirmations.rollback = complete;
        a.confirmations.gettingHelp = true;
        s.deployApproval = a;
    }

    private static void probation(EngineerAccessSpec s, int daysFromNow) {
        s.probation = new Probation();
        s.probation.passedOn = day(daysFromNow);
    }

    /** A Monday-to-Friday shift starting on a day relative to NOW. */
    private static void shift(EngineerAccessSpec s, ShiftRole role, int startDaysFromNow) {
        Shift shift = new Shift();
        shift.role = role;
        Instant start = nine(startDaysFromNow);
        shift.startTime = start.toString();
        shift.endTime = start.plus(Duration.ofDays(4)).plus(Duration.ofHours(8).plusMinutes(30)).toString();
        shift.supervisor = "pat.primary@example.gov.uk";
        s.shifts.add(shift);
    }

    /** Cleared, approval missing, in the future, incomplete or by someone not a tech lead; or not yet cleared. */
    private static EngineerAccessSpec newStarter(SplittableRandom r, int i) {
        EngineerAccessSpec s = base(r, i);
        switch (r.nextInt(5)) {
            case 0 -> clearance(s, ClearanceLevel.BPSS, -r.nextInt(1, 30));
            case 1 -> {
                clearance(s, ClearanceLevel.BPSS, -r.nextInt(1, 30));
                approval(s, r, r.nextInt(1, 14), true);
            }
            case 2 -> {
                clearance(s, ClearanceLevel.BPSS, -r.nextInt(1, 30));
                approval(s, r, -r.nextInt(1, 14), false);
            }
            case 3 -> {
                clearance(s, ClearanceLevel.BPSS, r.nextInt(1, 20));
                approval(s, r, r.nextInt(1, 30), true);
            }
            default -> {
                clearance(s, ClearanceLevel.BPSS, -r.nextInt(1, 30));
                approval(s, r, -r.nextInt(1, 14), true);
                s.deployApproval.approvedBy = s.subject.name; // self-approval
            }
        }
        return s;
    }

    private static EngineerAccessSpec deploy(SplittableRandom r, int i) {
        EngineerAccessSpec s = base(r, i);
        int cleared = -r.nextInt(60, 900);
        clearance(s, r.nextInt(5) == 0 ? ClearanceLevel.SC : ClearanceLevel.BPSS, cleared);
        approval(s, r, cleared + r.nextInt(7, 40), true);
        if (r.nextBoolean()) {
            probation(s, cleared + 180); // passed, or passing soon
        }
        return s;
    }

    /** Probation passed, Shadow shifts done or in progress, no AdminShadow yet (or one booked). */
    private static EngineerAccessSpec shadowing(SplittableRandom r, int i) {
        EngineerAccessSpec s = deploy(r, i);
        probation(s, -r.nextInt(10, 300));
        shift(s, ShiftRole.Shadow, -r.nextInt(0, 4)); // this week
        if (r.nextBoolean()) {
            shift(s, ShiftRole.Shadow, -r.nextInt(30, 120));
        }
        if (r.nextBoolean()) {
            shift(s, ShiftRole.AdminShadow, r.nextInt(5, 60));
        }
        return s;
    }

    /** On the AdminShadow shift now: Admin, supervised. */
    private static EngineerAccessSpec adminShadow(SplittableRandom r, int i) {
        EngineerAccessSpec s = deploy(r, i);
        probation(s, -r.nextInt(30, 300));
        shift(s, ShiftRole.Shadow, -r.nextInt(20, 120));
        shift(s, ShiftRole.AdminShadow, -r.nextInt(0, 4));
        return s;
    }

    private static EngineerAccessSpec admin(SplittableRandom r, int i) {
        EngineerAccessSpec s = deploy(r, i);
        probation(s, -r.nextInt(200, 700));
        int shadow = -r.nextInt(100, 190);
        shift(s, ShiftRole.Shadow, shadow);
        if (r.nextBoolean()) {
            shift(s, ShiftRole.Shadow, shadow + 14);
        }
        shift(s, ShiftRole.AdminShadow, shadow + r.nextInt(28, 90));
        return s;
    }

    /** Earned Admin and on the rota: Secondary shifts, then Primary and OnCall (some out of order). */
    private static EngineerAccessSpec rota(SplittableRandom r, int i) {
        EngineerAccessSpec s = admin(r, i);
        int t = -r.nextInt(5, 90);
        int secondaries = r.nextInt(1, 4);
        for (int k = 0; k < secondaries; k++) {
            shift(s, ShiftRole.Secondary, t);
            t += r.nextInt(14, 35);
        }
        if (r.nextInt(3) > 0) {
            shift(s, ShiftRole.Primary, t);
        }
        if (r.nextBoolean()) {
            shift(s, ShiftRole.OnCall, t + r.nextInt(7, 28));
        }
        return s;
    }

    /** Admin by exception: active, pending, expired or rejected (approver, too long, no supervisor). */
    private static EngineerAccessSpec exception(SplittableRandom r, int i) {
        EngineerAccessSpec s = deploy(r, i);
        AdminException e = new AdminException();
        e.approvedBy = r.nextBoolean() ? HEAD_OF_TECH : LEAD_DEV;
        e.businessCase = "Incident cover while the team is short-staffed";
        e.supervisor = "pat.primary@example.gov.uk";
        int start = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(1, 10); // pending
            case 1 -> -r.nextInt(40, 90); // expired
            default -> -r.nextInt(1, 10); // active
        };
        int length = r.nextInt(3, 29);
        switch (r.nextInt(10)) {
            case 0 -> e.approvedBy = TECH_LEADS[0]; // not an exception approver
            case 1 -> length = 45; // too long
            case 2 -> e.supervisor = null; // no supervisor
            default -> {
            }
        }
        e.startTime = nine(start).toString();
        e.expiryTime = nine(start + length).plus(Duration.ofHours(8).plusMinutes(30)).toString();
        s.exceptions.add(e);
        return s;
    }

    /** Short absences, ongoing long ones (revoked or not yet), and returners (re-approved or not). */
    private static EngineerAccessSpec absence(SplittableRandom r, int i) {
        EngineerAccessSpec s = r.nextBoolean() ? admin(r, i) : deploy(r, i);
        Absence a = new Absence();
        switch (r.nextInt(4)) {
            case 0 -> {
                a.from = day(-r.nextInt(20, 200));
                a.until = LocalDate.parse(a.from).plusDays(r.nextInt(5, 40)).toString();
            }
            case 1 -> a.from = day(-r.nextInt(10, 120)); // ongoing
            default -> {
                a.from = day(-r.nextInt(90, 160));
                a.until = LocalDate.parse(a.from).plusDays(r.nextInt(50, 85)).toString();
                if (r.nextBoolean()) {
                    approval(s, r, (int) (LocalDate.parse(a.until).toEpochDay() - LocalDate.ofInstant(NOW, ZoneOffset.UTC).toEpochDay())
                            + r.nextInt(0, 5), true);
                }
                if (r.nextBoolean()) {
                    shift(s, ShiftRole.AdminShadow, r.nextInt(-3, 30));
                }
            }
        }
        s.absences.add(a);
        return s;
    }

    /** Specs the rules reject: an end before its start, a bad date, an empty business case. */
    private static EngineerAccessSpec invalid(SplittableRandom r, int i) {
        EngineerAccessSpec s = deploy(r, i);
        switch (r.nextInt(3)) {
            case 0 -> {
                shift(s, ShiftRole.Shadow, -10);
                Shift last = s.shifts.get(s.shifts.size() - 1);
                String start = last.startTime;
                last.startTime = last.endTime;
                last.endTime = start;
            }
            case 1 -> s.clearance.grantedOn = "2026-02-30";
            default -> {
                AdminException e = new AdminException();
                e.approvedBy = HEAD_OF_TECH;
                e.businessCase = "";
                e.supervisor = "pat.primary@example.gov.uk";
                e.startTime = nine(-1).toString();
                e.expiryTime = nine(5).toString();
                s.exceptions.add(e);
            }
        }
        return s;
    }
}
