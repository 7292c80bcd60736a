package digital.govuk.access.api.v1alpha1;

/** Security clearance levels, lowest first. */
public enum ClearanceLevel {
    None,
    BPSS,
    SC,
    DV
}
