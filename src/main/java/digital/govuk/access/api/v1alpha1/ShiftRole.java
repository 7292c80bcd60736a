package digital.govuk.access.api.v1alpha1;

/** Roles on a Technical 2nd Line shift. */
public enum ShiftRole {
    Shadow,
    AdminShadow,
    Secondary,
    Primary,
    OnCall
}
