package digital.govuk.access.chart;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;

/**
 * The chart's ValidatingAdmissionPolicy, evaluated the way kube-apiserver 1.30+ does, for tests
 * that check many requests quickly without a server. The environment is shaped like Kubernetes': the
 * variables {@code object} (null on DELETE), {@code oldObject} (null on CREATE; on DELETE the object being deleted)
 * and {@code request} (with {@code options}, the DeleteOptions on DELETE) as dynamic values,
 * {@code variables} for the policy's named variables (each may use the ones before it), the standard macros
 * and the strings extension ({@code trim}, {@code lowerAscii}, {@code join}). A match condition that is false
 * skips the policy; otherwise every validation must be true, and each false one refuses the request with its
 * messageExpression's text.
 */
final class AdmissionPolicyCel {
    /** What the API server would answer: allowed, or refused with these messages. */
    record Outcome(boolean allowed, List<String> messages) {
    }

    private record Named(String name, CelRuntime.Program program) {
    }

    private record Check(CelRuntime.Program expression, CelRuntime.Program message, String fallbackMessage) {
    }

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(CelExtensions.strings())
            .addRuntimeLibraries(CelExtensions.strings())
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("variables", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();

    private final List<Named> matchConditions = new ArrayList<>();
    private final List<Named> variables = new ArrayList<>();
    private final List<Check> validations = new ArrayList<>();

    /** Compiles every expression of the policy; fails, naming the expression, when one does not compile. */
    AdmissionPolicyCel(ValidatingAdmissionPolicy policy) {
        for (MatchCondition c : policy.getSpec().getMatchConditions()) {
            matchConditions.add(new Named(c.getName(), compile(c.getExpression())));
        }
        for (Variable v : policy.getSpec().getVariables()) {
            variables.add(new Named(v.getName(), compile(v.getExpression())));
        }
        for (Validation v : policy.getSpec().getValidations()) {
            validations.add(new Check(compile(v.getExpression()),
                    v.getMessageExpression() == null ? null : compile(v.getMessageExpression()), v.getMessage()));
        }
    }

    static CelRuntime.Program compile(String expression) {
        try {
            return CEL.createProgram(CEL.compile(expression).getAst());
        } catch (CelValidationException | CelEvaluationException e) {
            throw new AssertionError("the policy's CEL does not compile: " + expression + "\n" + e.getMessage(), e);
        }
    }

    /**
     * Evaluates an admission request; {@code oldObject} is null on CREATE, {@code object} on DELETE. Any evaluation
     * error fails the test.
     */
    Outcome admit(Map<String, Object> request, Map<String, Object> object, Map<String, Object> oldObject) {
        Map<String, Object> activation = new HashMap<>();
        activation.put("request", request);
        activation.put("object", object == null ? NullValue.NULL_VALUE : object);
        activation.put("oldObject", oldObject == null ? NullValue.NULL_VALUE : oldObject);
        activation.put("variables", Map.of());
        for (Named condition : matchConditions) {
            if (!(Boolean) eval(condition.program(), activation, "match condition " + condition.name())) {
                return new Outcome(true, List.of());
            }
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        for (Named variable : variables) {
            activation.put("variables", Map.copyOf(vars));
            vars.put(variable.name(), eval(variable.program(), activation, "variable " + variable.name()));
        }
        activation.put("variables", Map.copyOf(vars));
        List<String> messages = new ArrayList<>();
        for (Check check : validations) {
            if (!(Boolean) eval(check.expression(), activation, "validation")) {
                messages.add(check.message() == null ? check.fallbackMessage()
                        : (String) eval(check.message(), activation, "messageExpression"));
            }
        }
        return new Outcome(messages.isEmpty(), messages);
    }

    private static Object eval(CelRuntime.Program program, Map<String, Object> activation, String what) {
        try {
            return program.eval(activation);
        } catch (CelEvaluationException e) {
            throw new AssertionError("the policy's " + what + " failed to evaluate (the API server would refuse the "
                    + "request with an error): " + e.getMessage(), e);
        }
    }
}
