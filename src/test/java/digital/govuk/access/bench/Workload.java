package digital.govuk.access.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The benchmark's cluster, generated from a fixed seed: {@code deployNamespaces} namespaces selected for Deploy,
 * {@code adminNamespaces} selected for Admin (the policy of examples/00-policy.yaml), one namespace no selector
 * matches, and engineers about 70 % Deploy, 20 % Admin (earned; a quarter of them supervised, on their AdminShadow
 * shift now) and 10 % None. Nothing in it changes for days after {@code now}, so a converged cluster stays converged
 * while it is measured; the transitions of the on-time phase come from {@link #expiring} and {@link #starting}.
 */
record Workload(int deployNamespaces, int adminNamespaces, long seed) {
    static final String UNSELECTED = "bench-unselected";
    static final String DEPLOY_LABEL = "access.govuk.digital/deploy";
    static final String ADMIN_LABEL = "access.govuk.digital/admin";

    List<Namespace> namespaces() {
        List<Namespace> out = new ArrayList<>();
        for (int i = 0; i < deployNamespaces; i++) {
            out.add(new NamespaceBuilder().withNewMetadata().withName(String.format("deploy-%02d", i)).addToLabels(DEPLOY_LABEL, "true")
                    .endMetadata().build());
        }
        for (int i = 0; i < adminNamespaces; i++) {
            out.add(new NamespaceBuilder().withNewMetadata().withName(String.format("admin-%02d", i)).addToLabels(ADMIN_LABEL, "true")
                    .endMetadata().build());
        }
        out.add(new NamespaceBuilder().withNewMetadata().withName(UNSELECTED).endMetadata().build());
        return out;
    }

    /** Engineers {@code from} (inclusive) to {@code to} (exclusive) of the fixed sequence: the same seed gives the same people. */
    List<EngineerAccess> engineers(int from, int to, Instant now) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EngineerAccess> out = new ArrayList<>();
        Instant day = now.truncatedTo(ChronoUnit.DAYS);
        for (int i = 0; i < to; i++) {
            int roll = random.nextInt(100);
            int variant = random.nextInt(4);
            int age = random.nextInt(60, 900);
            if (i < from) {
                continue;
            }
            String name = String.format("eng-%05d", i);
            String extra;
            if (roll < 70) {
                extra = deploy(day, age);
            } else if (roll < 90) {
                extra = deploy(day, age) + earnedAdmin(day, age, variant == 0);
            } else {
                extra = variant < 2 ? """
                        clearance: {level: BPSS, grantedOn: "%s"}
                        """.formatted(date(day.minus(Duration.ofDays(age)))) : clearedAndApprovedBySelf(name, day, age);
            }
            out.add(engineer(name, extra));
        }
        return out;
    }

    /** Engineers who hold Deploy and an Admin exception that ends at {@code expiry}. */
    static EngineerAccess expiring(String name, Instant now, Instant expiry) {
        return engineer(name, deploy(now.truncatedTo(ChronoUnit.DAYS), 400)
                + exception(now.minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS), expiry));
    }

    /** Engineers who hold Deploy and an Admin exception that starts at {@code start}. */
    static EngineerAccess starting(String name, Instant now, Instant start) {
        return engineer(name, deploy(now.truncatedTo(ChronoUnit.DAYS), 400) + exception(start, start.plus(Duration.ofDays(7))));
    }

    private static String deploy(Instant day, int age) {
        return """
                clearance: {level: BPSS, grantedOn: "%s"}
                deployApproval:
                  approvedBy: tess.lead@example.gov.uk
                  approvedOn: "%s"
                  confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
                """.formatted(date(day.minus(Duration.ofDays(age))), date(day.minus(Duration.ofDays(age - 30))));
    }

    /** Probation passed, a Shadow shift, then an AdminShadow shift: over long ago, or now (supervised, ending in 3 days). */
    private static String earnedAdmin(Instant day, int age, boolean onShiftNow) {
        Instant shadow = day.minus(Duration.ofDays(Math.max(40, age - 40))).plus(Duration.ofHours(9));
        Instant adminShadow = onShiftNow ? day.minus(Duration.ofDays(1)).plus(Duration.ofHours(9)) : shadow.plus(Duration.ofDays(21));
        Duration length = onShiftNow ? Duration.ofDays(4).plusHours(8) : Duration.ofDays(4).plusHours(8).plusMinutes(30);
        return """
                probation: {passedOn: "%s"}
                shifts:
                - {role: Shadow, startTime: "%s", endTime: "%s"}
                - {role: AdminShadow, startTime: "%s", endTime: "%s"}
                """.formatted(date(shadow.minus(Duration.ofDays(10))), shadow, shadow.plus(Duration.ofDays(4)),
                adminShadow, adminShadow.plus(length));
    }

    private static String clearedAndApprovedBySelf(String name, Instant day, int age) {
        return """
                clearance: {level: BPSS, grantedOn: "%s"}
                deployApproval:
                  approvedBy: %s@example.gov.uk
                  approvedOn: "%s"
                  confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
                """.formatted(date(day.minus(Duration.ofDays(age))), name, date(day.minus(Duration.ofDays(age - 30))));
    }

    private static String exception(Instant start, Instant expiry) {
        return """
                exceptions:
                - approvedBy: head.of.tech@example.gov.uk
                  businessCase: Incident cover while the team is short-staffed
                  supervisor: sam.primary@example.gov.uk
                  startTime: "%s"
                  expiryTime: "%s"
                """.formatted(start, expiry);
    }

    private static String date(Instant instant) {
        return instant.toString().substring(0, 10);
    }

    private static EngineerAccess engineer(String name, String extra) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata:
                  name: %s
                spec:
                  fullName: Bench Engineer %s
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: %s@example.gov.uk}
                %s""".formatted(name, name, name, extra.indent(2)), EngineerAccess.class);
    }
}
