package digital.govuk.access.api.v1alpha1;

/** Operators of a namespace selector expression. */
public enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist
}
