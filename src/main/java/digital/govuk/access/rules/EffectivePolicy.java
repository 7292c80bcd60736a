package digital.govuk.access.rules;

import java.time.ZoneId;
import java.util.Map;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;

/**
 * An AccessPolicy with every default filled in and every value checked. Names in {@code techLeads}
 * and {@code exceptionApprovers} are keys as {@link Names} compares them.
 */
public record EffectivePolicy(
        ZoneId zone,
        ClearanceLevel requiredClearance,
        String deployClusterRole,
        LabelMatcher deployNamespaces,
        String adminClusterRole,
        boolean includeDeploy,
        LabelMatcher adminNamespaces,
        int minShadowShifts,
        int secondaryShiftsBeforePrimary,
        int longAbsenceDays,
        int maxExceptionDays,
        boolean exceptionsWaiveClearance,
        Set<String> techLeads,
        Map<String, ApproverRole> exceptionApprovers,
        boolean allowGroupSubjects) {

    public static final String DEFAULT_ZONE = "Europe/London";
    public static final String DEFAULT_DEPLOY_ROLE = "production-deploy";
    public static final String DEFAULT_ADMIN_ROLE = "production-admin";
    public static final String DEPLOY_LABEL = "access.govuk.digital/deploy";
    public static final String ADMIN_LABEL = "access.govuk.digital/admin";

    /**
     * Every default, and no exception approvers: what an AccessPolicy with an empty spec gives. (With no AccessPolicy
     * named {@code default} at all nothing is granted, decision 76.)
     */
    public static EffectivePolicy defaults() {
        return PolicyReader.read(null).policy();
    }
}
