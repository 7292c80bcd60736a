package digital.govuk.access.rules;

/**
 * One thing wrong with an input, naming the field by its path in the object (for example
 * {@code spec.shifts[2].endTime}).
 */
public record Problem(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
