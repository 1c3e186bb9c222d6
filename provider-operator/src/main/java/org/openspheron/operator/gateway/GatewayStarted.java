package org.openspheron.operator.gateway;

import org.openspheron.chain.identity.ClientIdentity;

/** Fired once the gateway serves: its server identity is the certificate the provider publishes for users to pin. */
public record GatewayStarted(ClientIdentity identity) {
}
