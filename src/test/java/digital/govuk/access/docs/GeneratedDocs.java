package digital.govuk.access.docs;

/** What the generated pages in docs/ share. */
final class GeneratedDocs {
    private GeneratedDocs() {
    }

    /** The first lines of a generated page: where it comes from, and how to make it again. */
    static String header(String source) {
        return "<!-- Generated from " + source + " by `make docs`; edit the source, not this file"
                + " (GeneratedDocsTest fails when this file is stale). -->\n";
    }
}
