package org.openspheron.chain;

/**
 * One account's entry for one certificate fingerprint in the CertificateRegistry. Entries are per account: another
 * account publishing the same fingerprint changes nothing here.
 */
public enum CertificateState {
    /** The account never published the fingerprint. */
    UNPUBLISHED,
    /** The account vouches for the certificate. */
    VALID,
    /** The account revoked it; it can never vouch for it again. */
    REVOKED;

    static CertificateState of(boolean published, boolean revoked) {
        return revoked ? REVOKED : published ? VALID : UNPUBLISHED;
    }
}
