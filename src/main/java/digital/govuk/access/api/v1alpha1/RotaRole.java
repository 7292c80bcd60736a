package digital.govuk.access.api.v1alpha1;

/** 2nd line roles an engineer may be drafted onto. */
public enum RotaRole {
    Secondary,
    Primary,
    OnCall
}
