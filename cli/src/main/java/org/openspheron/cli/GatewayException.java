package org.openspheron.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;

/**
 * The gateway refused a request ({@code 400 InvalidManifest}, {@code 403 NotTenant}, ...) or could not be reached
 * ({@code status} 0). The message is the gateway's own sentence, with the manifest field when it names one.
 */
final class GatewayException extends CliException {
    private final int status;
    private final String code;
    private final String field;

    GatewayException(int status, String code, String message, String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static GatewayException of(int status, String body, URI gateway) {
        String code = "Http" + status;
        String message = body == null ? "" : body.strip();
        String field = null;
        try {
            JsonNode json = Output.JSON.readTree(body);
            if (json != null && json.isObject()) {
                code = json.path("error").asText(code);
                message = json.path("message").asText(message);
                field = json.hasNonNull("field") ? json.get("field").asText() : null;
            }
        } catch (Exception notJson) {
            // keep the raw body
        }
        if (message.length() > 500) {
            message = message.substring(0, 500) + "...";
        }
        return new GatewayException(status, code, "the gateway at " + gateway + " answered " + status + " " + code
                + (message.isEmpty() ? "" : ": " + message), field);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }

    /**
     * No answer from the gateway, or not yet a verifiable one: the provider does not vouch for its certificate yet.
     * A provider still starting and an impostor look the same here (whoever else published the certificate says
     * nothing about it, see {@link org.openspheron.chain.identity.ProviderCertificate}), so both are retried until
     * the deadline; neither is sent anything.
     */
    boolean unreachable() {
        return status == 0;
    }
}
