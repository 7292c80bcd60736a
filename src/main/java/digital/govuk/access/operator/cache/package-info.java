/**
 * What the operator remembers of the cluster between reconciliations: a lean store for its informers, the informer
 * of the RoleBindings it manages, and the record of its own recent writes that the informer has not yet shown.
 */
package digital.govuk.access.operator.cache;
