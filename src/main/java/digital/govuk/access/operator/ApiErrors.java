package digital.govuk.access.operator;

import java.io.IOException;

import com.fasterxml.jackson.core.JacksonException;

import digital.govuk.access.rules.Values;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** What an error from the API server means, and how to say it. */
public final class ApiErrors {
    private ApiErrors() {
    }

    /** Whether an error means the API server could not be reached (rather than refusing the request). */
    public static boolean unreachable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof JacksonException) {
                // An answer that could not be read is an answer: the API server was reached.
                return false;
            }
            if (t instanceof IOException) {
                return true;
            }
            if (t instanceof KubernetesClientException k && (k.getCode() == 502 || k.getCode() == 503 || k.getCode() == 504)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An error in words: that the API server could not be reached, or its own message when it gave one (also when the
     * error that carries it is wrapped in another).
     */
    public static String inWords(RuntimeException e) {
        if (unreachable(e)) {
            return "the API server could not be reached";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException j) {
                return "the API server's answer could not be read (" + Values.cut(j.getOriginalMessage(), 200) + ")";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // Also when wrapped (a status write refused, JOSDK's own exceptions): the API server's words, not the wrapper's.
            if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
                return k.getStatus().getMessage();
            }
        }
        return e.getMessage() == null ? "an unexpected error" : e.getMessage();
    }
}
