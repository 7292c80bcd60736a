/**
 * What the operator remembers of the cluster between reconciliations: a lean store for its informers, a compact one
 * for the RoleBindings it manages, the informer of those bindings, and the record of its own recent writes that the
 * informer has not yet shown.
 */
package digital.govuk.access.operator.cache;
