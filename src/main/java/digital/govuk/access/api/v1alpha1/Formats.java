package digital.govuk.access.api.v1alpha1;

/** Patterns the CRD schema uses for dates and instants; the rules parse the values again. */
public final class Formats {
    /** A calendar date, YYYY-MM-DD. */
    public static final String DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    /** An RFC 3339 instant with a time zone, for example 2026-08-03T09:00:00Z. */
    public static final String DATE_TIME =
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

    private Formats() {
    }
}
