/**
 * The custom resources of the API group {@code access.govuk.digital}, version {@code v1alpha1}:
 * {@link digital.govuk.access.api.v1alpha1.EngineerAccess} and
 * {@link digital.govuk.access.api.v1alpha1.AccessPolicy}. Plain data: the field descriptions become
 * the CRD descriptions that {@code kubectl explain} shows.
 */
package digital.govuk.access.api.v1alpha1;
