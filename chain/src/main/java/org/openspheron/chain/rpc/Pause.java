package org.openspheron.chain.rpc;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

/** Sleeping inside an I/O call: an interrupt ends the call as web3j expects, with the flag kept. */
final class Pause {
    private Pause() {
    }

    static void nanos(long nanos) throws InterruptedIOException {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting to call the chain");
            interrupted.initCause(e);
            throw interrupted;
        }
    }
}
