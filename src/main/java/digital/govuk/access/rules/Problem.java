package digital.govuk.access.rules;

/**
 * One thing wrong with an input, naming the field by its path in the object (for example
 * {@code spec.shifts[2].endTime}).
 *
 * @param reason the SpecValid condition's reason when this problem alone explains why a spec is refused, for a
 *               problem that is not in the spec's own values (another EngineerAccess names the same person, the
 *               operator is older than the CRD); null for an ordinary invalid value
 */
public record Problem(String field, String message, String reason) {
    public Problem(String field, String message) {
        this(field, message, null);
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
