package digital.govuk.access.operator.runtime;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import digital.govuk.access.api.UnknownFields;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/**
 * The operator's client reads an EngineerAccess or AccessPolicy with fields this version does not know, instead of
 * failing: one such object would otherwise stop the watch of every engineer, and with it every revocation.
 */
@Singleton
public class ReadNewerFields implements KubernetesClientObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        UnknownFields.register(mapper);
    }
}
