package digital.govuk.access.cli;

/** One invalid input: the file, the object in it (kind/name, or document number) and what is wrong. */
public record InputError(String file, String object, String field, String message) {
    @Override
    public String toString() {
        return file + ": " + object + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + message;
    }
}
