package digital.govuk.access.api.v1alpha1;

/** Where an exception stands now. */
public enum ExceptionState {
    Pending,
    Active,
    Expired,
    Rejected
}
