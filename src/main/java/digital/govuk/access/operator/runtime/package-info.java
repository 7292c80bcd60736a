/**
 * The operator as a running process, apart from what it decides: leader election and shutdown, health, metrics,
 * the API requests it counts, the clock and its skew, the wait at startup, and its background timers. The
 * reconcilers use these; none of them decides access.
 */
package digital.govuk.access.operator.runtime;
