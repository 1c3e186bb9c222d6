// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title CertificateRegistry
/// @notice Lets an account vouch for TLS certificates. An account (a tenant, or a provider for its gateway) publishes
///         the SHA-256 fingerprint of its DER certificate; a provider's gateway accepts a client certificate for a
///         lease only when the lease's tenant vouches for it, and a user accepts a gateway only when the lease's
///         provider vouches for the certificate it presents.
/// @dev    Entries are keyed by (account, fingerprint), never by fingerprint alone. Certificates are public (every
///         TLS handshake shows one, a publication waits in the mempool), so a registry where the first publisher of
///         a fingerprint owns it lets anyone squat a tenant's or a provider's certificate for the price of gas.
///         Here nobody can block anyone else's publication, and vouching for someone else's fingerprint gains
///         nothing: using a certificate in mutual TLS proves possession of its private key, and every check asks
///         whether one given account (the lease's tenant, the lease's provider) vouches for it.
contract CertificateRegistry {
    error CertificateAlreadyPublished(address account, bytes32 fingerprint);
    error CertificateRevoked(address account, bytes32 fingerprint);
    error CertificateNotPublished(address account, bytes32 fingerprint);
    error ZeroFingerprint();

    event CERTIFICATE_PUBLISHED(address indexed owner, bytes32 indexed fingerprint);
    event CERTIFICATE_REVOKED(address indexed owner, bytes32 indexed fingerprint);

    struct Certificate {
        bool published;
        bool revoked;
        uint64 publishedAt;
    }

    mapping(address => mapping(bytes32 => Certificate)) private _certificates;

    /// @notice Vouches for a certificate as the caller's. Any number of accounts may publish the same fingerprint;
    ///         each entry concerns its publisher only. A fingerprint the caller revoked cannot be published again.
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    function publish(bytes32 fingerprint) external {
        if (fingerprint == bytes32(0)) revert ZeroFingerprint();
        Certificate storage cert = _certificates[msg.sender][fingerprint];
        if (cert.revoked) revert CertificateRevoked(msg.sender, fingerprint);
        if (cert.published) revert CertificateAlreadyPublished(msg.sender, fingerprint);
        _certificates[msg.sender][fingerprint] = Certificate(true, false, uint64(block.timestamp));
        emit CERTIFICATE_PUBLISHED(msg.sender, fingerprint);
    }

    /// @notice Withdraws the caller's vouching for a certificate, for good. Other accounts' entries are untouched.
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    function revoke(bytes32 fingerprint) external {
        Certificate storage cert = _certificates[msg.sender][fingerprint];
        if (!cert.published) revert CertificateNotPublished(msg.sender, fingerprint);
        if (cert.revoked) revert CertificateRevoked(msg.sender, fingerprint);
        cert.revoked = true;
        emit CERTIFICATE_REVOKED(msg.sender, fingerprint);
    }

    /// @notice Whether `account` published `fingerprint` and has not revoked it.
    /// @param account the account the certificate has to speak for
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    function isValid(address account, bytes32 fingerprint) external view returns (bool) {
        Certificate storage cert = _certificates[account][fingerprint];
        return cert.published && !cert.revoked;
    }

    /// @notice `account`'s entry for `fingerprint`: all false and zero when it never published it.
    /// @param account the publishing account
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    /// @return published whether `account` published it (revoked or not)
    /// @return revoked whether `account` revoked it
    /// @return publishedAt the block timestamp of the publication
    function certificate(address account, bytes32 fingerprint)
        external
        view
        returns (bool published, bool revoked, uint64 publishedAt)
    {
        Certificate storage cert = _certificates[account][fingerprint];
        return (cert.published, cert.revoked, cert.publishedAt);
    }
}
