package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** One engineer's production access facts (spec) and what the operator granted (status). */
@Group(EngineerAccess.GROUP)
@Version(EngineerAccess.VERSION)
@Kind("EngineerAccess")
@Singular("engineeraccess")
@Plural("engineeraccesses")
@ShortNames("ea")
@Categories(EngineerAccess.CATEGORY)
@JsonInclude(JsonInclude.Include.NON_NULL)
@AdditionalPrinterColumn(name = "Engineer", jsonPath = ".spec.fullName", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "The engineer's full name")
@AdditionalPrinterColumn(name = "Level", jsonPath = ".status.level", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "Production access held now: None, Deploy or Admin")
@AdditionalPrinterColumn(name = "Supervised", jsonPath = ".status.supervised", type = AdditionalPrinterColumn.Type.BOOLEAN,
        getDescription = "Whether Admin access must be used under supervision")
// Expires and Next are future instants: shown as text, since kubectl prints a future "date" as <invalid>.
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.accessExpiryTime", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "When time-limited access ends (UTC)")
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextTransitionTime", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "When the access decision next changes (UTC)")
// -o wide only (priority 1): rota eligibility, and how many requirements are unmet with the first one's code.
@AdditionalPrinterColumn(name = "Rota", jsonPath = ".status.rota.eligible", type = AdditionalPrinterColumn.Type.STRING, priority = 1,
        getDescription = "Rota roles the engineer may be drafted onto now")
@AdditionalPrinterColumn(name = "Unmet", jsonPath = ".status.unmetCount", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1,
        getDescription = "How many requirements of the levels not held are unmet")
@AdditionalPrinterColumn(name = "First Unmet", jsonPath = ".status.unmet[0].code", type = AdditionalPrinterColumn.Type.STRING,
        priority = 1, getDescription = "The code of the first unmet requirement (status.unmet says what to do next)")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE,
        getDescription = "Time since the object was created")
public class EngineerAccess extends CustomResource<EngineerAccessSpec, EngineerAccessStatus> {
    public static final String GROUP = "access.govuk.digital";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /** kubectl get access lists EngineerAccess and AccessPolicy objects. */
    public static final String CATEGORY = "access";

    @Override
    @JsonPropertyDescription("The engineer's facts: role, RBAC subject, clearance, probation, approvals, shifts, exceptions and absences.")
    public EngineerAccessSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("What the operator decided and granted. Written by the operator only.")
    public EngineerAccessStatus getStatus() {
        return super.getStatus();
    }
}
