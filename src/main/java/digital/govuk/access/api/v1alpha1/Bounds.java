package digital.govuk.access.api.v1alpha1;

/**
 * The largest values the API accepts: the CRD schema says so (maxLength, maxItems, maxProperties, maximum)
 * and the rules check the same bounds again, since {@code plan} has no API server and a client can skip a
 * schema. No real organisation comes near them; they keep one object small (a spec at every bound still
 * fits in etcd) and one decision fast. docs/api.md lists them.
 */
public final class Bounds {
    /** A person's or group's name, as the cluster's authentication knows it (an e-mail address is at most 254). */
    public static final int NAME = 256;
    /** The engineer's full name, for people reading the status. */
    public static final int FULL_NAME = 256;
    /** An exception's business case: a paragraph. */
    public static final int BUSINESS_CASE = 2048;
    /** An RFC 3339 instant (35 characters with nanoseconds and an offset). */
    public static final int INSTANT = 64;
    /**
     * A calendar date, YYYY-MM-DD: exactly 10, as the pattern already says. The schema says it as maxLength too,
     * because Kubernetes 1.25 and later estimate a CEL rule's cost from the declared lengths: without it the
     * absence rule (until >= from) is priced as comparing two strings of the whole request's size, and the
     * API server refuses the CRD ("estimated rule cost exceeds budget").
     */
    public static final int DATE = 10;
    /** An IANA time zone name (the longest is 32 characters). */
    public static final int TIME_ZONE = 64;
    /** A ClusterRole name (a Kubernetes object name). */
    public static final int CLUSTER_ROLE = 253;
    /** A label key: a DNS subdomain prefix of 253, '/', and a name of 63. */
    public static final int LABEL_KEY = 317;
    /** A label value. */
    public static final int LABEL_VALUE = 63;

    /** Technical 2nd Line shifts of one engineer: a weekly shift for almost ten years. */
    public static final int SHIFTS = 500;
    /** Exceptions of one engineer. */
    public static final int EXCEPTIONS = 100;
    /** Absences of one engineer. */
    public static final int ABSENCES = 200;
    /** Tech leads in the policy. */
    public static final int TECH_LEADS = 500;
    /** Exception approvers in the policy. */
    public static final int EXCEPTION_APPROVERS = 100;
    /** Labels, and expressions, in one namespace selector. */
    public static final int SELECTOR_TERMS = 20;
    /** Values of one selector expression. */
    public static final int SELECTOR_VALUES = 100;

    /** minShadowShifts and secondaryShiftsBeforePrimary. */
    public static final int SHIFT_COUNT = 100;
    /** longAbsenceDays: ten years. */
    public static final int LONG_ABSENCE_DAYS = 3650;
    /** maxExceptionDays: a year. */
    public static final int EXCEPTION_DAYS = 365;

    private Bounds() {
    }
}
