package org.openspheron.cli;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.openspheron.chain.ProtocolVerifier;

/**
 * What {@code --json} output writes by reflection that nothing else registers for the native image: Jackson reads a
 * record's components through its accessors. Most results are maps and JSON trees and need nothing; the protocol
 * verifier's checks are records (without this, the native {@code protocol verify --json} failed "No serializer found
 * for class ProtocolVerifier$Check").
 */
@RegisterForReflection(targets = ProtocolVerifier.Check.class)
final class NativeReflection {
    private NativeReflection() {
    }
}
