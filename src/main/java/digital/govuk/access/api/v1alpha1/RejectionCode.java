package digital.govuk.access.api.v1alpha1;

/** Why an exception was rejected. The codes of docs/access-rules.md. */
public enum RejectionCode {
    ApproverNotAuthorised,
    SelfApproval,
    MissingBusinessCase,
    MissingSupervisor,
    TooLong,
    ClearanceMissing,
    VoidedByLongAbsence
}
