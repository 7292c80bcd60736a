package digital.govuk.access.api.v1alpha1;

/** Production access levels, lowest first. Admin includes Deploy. */
public enum Level {
    None,
    Deploy,
    Admin
}
