package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytecode check without a chain: what it must accept (any immutable values) and what it must not. */
class CompiledRuntimeTest {
    private final CompiledRuntime orders = CompiledRuntime.of("DeploymentOrder");

    /** The compiled code with every immutable filled as a constructor would: one value per immutable. */
    private byte[] deployedWithImmutables() {
        byte[] code = orders.code().clone();
        byte value = 1;
        for (List<int[]> ranges : orders.immutables()) {
            for (int[] range : ranges) {
                Arrays.fill(code, range[0], range[0] + range[1], value);
            }
            value++;
        }
        return code;
    }

    @Test
    void theCompiledCodeWithAnyImmutableValuesMatches() {
        assertThat(orders.immutables()).as("DeploymentOrder has immutables to mask").hasSizeGreaterThan(5);
        assertThat(orders.mismatch(deployedWithImmutables())).isEmpty();
    }

    @Test
    void oneChangedByteOutsideTheImmutablesIsFound() {
        byte[] code = deployedWithImmutables();
        int outside = 0; // the first byte is an opcode, never an immutable
        code[outside] ^= 1;
        assertThat(orders.mismatch(code)).hasValue("the code differs from the compiled DeploymentOrder at byte 0");
    }

    @Test
    void twoCopiesOfOneImmutableHoldingDifferentValuesAreFound() {
        List<int[]> copies = orders.immutables().stream().filter(r -> r.size() > 1).findFirst().orElseThrow();
        byte[] code = deployedWithImmutables();
        code[copies.get(1)[0]] ^= 1;
        assertThat(orders.mismatch(code)).hasValue("the immutable at byte " + copies.get(1)[0] + " differs from its other copies");
    }

    @Test
    void anotherContractsCodeAndNoCodeAreFound() {
        assertThat(orders.mismatch(CompiledRuntime.of("CertificateRegistry").code())).get().asString()
                .contains("bytes of code, the compiled DeploymentOrder has");
        assertThat(orders.mismatch(new byte[0])).hasValue("no code at this address");
    }
}
