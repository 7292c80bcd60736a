package digital.govuk.access.rules;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.RotaStatus;
import digital.govuk.access.api.v1alpha1.Unmet;

/**
 * What the rules say about one engineer at one instant.
 *
 * @param problems           why the spec is invalid; when not empty, nothing is granted
 * @param level              access held
 * @param supervised         Admin must be used under supervision
 * @param accessExpiryTime   when Admin from exceptions alone ends (null otherwise)
 * @param nextTransitionTime the next instant at which any other part of this decision changes (null: none)
 * @param deployOnItsOwn     the Deploy rules hold by themselves (not only through Admin)
 * @param earnedAdmin        Admin earned through the AdminShadow shift (not by exception)
 * @param revoked            an ongoing long absence revokes all access now
 * @param unmet              why the levels not held are not held
 * @param exceptions         the state of each entry of spec.exceptions
 * @param rota               rota progression
 * @param rotaOrderProblems  Primary or OnCall shifts that started before the engineer was eligible, in words
 * @param grounds            which facts the access held rests on, by their index in the spec
 */
public record Decision(
        List<Problem> problems,
        Level level,
        boolean supervised,
        Instant accessExpiryTime,
        Instant nextTransitionTime,
        boolean deployOnItsOwn,
        boolean earnedAdmin,
        boolean revoked,
        List<Unmet> unmet,
        List<ExceptionStatus> exceptions,
        RotaStatus rota,
        List<String> rotaOrderProblems,
        Grounds grounds) {

    /**
     * The facts the access rests on, by index in the spec's lists (null when none): the AdminShadow shift that
     * gives earned Admin (the one in progress while supervised, else the one completed), the active exception
     * that gives Admin by exception (the one that ends last), and the absence that revokes access now.
     */
    public record Grounds(Integer adminShadowShift, Integer exception, Integer absence) {
        public static final Grounds NONE = new Grounds(null, null, null);

        /** As a record's equals (written out for the reason given at {@link Decision#equals}). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Grounds g && Objects.equals(adminShadowShift, g.adminShadowShift)
                    && Objects.equals(exception, g.exception) && Objects.equals(absence, g.absence);
        }

        @Override
        public int hashCode() {
            return Objects.hash(adminShadowShift, exception, absence);
        }
    }

    /**
     * Equal when every component is equal, as a record's equals. It is written out because the decision compares
     * itself with the decision at each later instant that might change it, and a record's generated equals calls
     * through method handles, which stay slow until the JIT has compiled them.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Decision d && level == d.level && supervised == d.supervised && deployOnItsOwn == d.deployOnItsOwn
                && earnedAdmin == d.earnedAdmin && revoked == d.revoked && Objects.equals(accessExpiryTime, d.accessExpiryTime)
                && Objects.equals(nextTransitionTime, d.nextTransitionTime) && Objects.equals(grounds, d.grounds)
                && Objects.equals(problems, d.problems) && Objects.equals(unmet, d.unmet) && Objects.equals(exceptions, d.exceptions)
                && Objects.equals(rota, d.rota) && Objects.equals(rotaOrderProblems, d.rotaOrderProblems);
    }

    @Override
    public int hashCode() {
        return Objects.hash(problems, level, supervised, accessExpiryTime, nextTransitionTime, deployOnItsOwn, earnedAdmin, revoked,
                unmet, exceptions, rota, rotaOrderProblems, grounds);
    }

    public boolean specValid() {
        return problems.isEmpty();
    }

    /** The decision for a spec the rules cannot understand: nothing granted. */
    public static Decision invalid(List<Problem> problems) {
        return new Decision(List.copyOf(problems), Level.None, false, null, null, false, false, false,
                List.of(), List.of(), new RotaStatus(0, List.of()), List.of(), Grounds.NONE);
    }

    Decision withNextTransition(Instant next) {
        return new Decision(problems, level, supervised, accessExpiryTime, next, deployOnItsOwn, earnedAdmin, revoked,
                unmet, exceptions, rota, rotaOrderProblems, grounds);
    }
}
