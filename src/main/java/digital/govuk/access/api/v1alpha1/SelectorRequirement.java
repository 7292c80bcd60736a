package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One label selector expression. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SelectorRequirement {
    @Required
    @Size(min = 1, max = Bounds.LABEL_KEY)
    @JsonPropertyDescription("The label key.")
    public String key;

    @Required
    @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.")
    public SelectorOperator operator;

    @Size(max = Bounds.SELECTOR_VALUES)
    @JsonPropertyDescription("Values for In and NotIn (at least one); empty for Exists and DoesNotExist.")
    public List<@Size(max = Bounds.LABEL_VALUE) String> values = new ArrayList<>();
}
