package digital.govuk.access.api.v1alpha1;

/** The engineer's job family. The rules treat all roles alike. */
public enum EngineerRole {
    Developer,
    SRE,
    TechnicalArchitect
}
