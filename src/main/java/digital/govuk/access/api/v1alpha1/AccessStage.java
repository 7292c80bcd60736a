package digital.govuk.access.api.v1alpha1;

/**
 * Where an engineer stands on the way to production access, lowest first: the level, with supervised Admin
 * as a stage of its own (docs/access-flow.md draws how an engineer moves between them).
 */
public enum AccessStage {
    None,
    Deploy,
    AdminSupervised,
    Admin;

    /** The stage of a level held with or without supervision. */
    public static AccessStage of(Level level, boolean supervised) {
        if (level == null) {
            return None;
        }
        return switch (level) {
            case None -> None;
            case Deploy -> Deploy;
            case Admin -> supervised ? AdminSupervised : Admin;
        };
    }

    /** In words, as the docs and messages write it: {@code Admin (supervised)}. */
    public String words() {
        return this == AdminSupervised ? "Admin (supervised)" : name();
    }
}
