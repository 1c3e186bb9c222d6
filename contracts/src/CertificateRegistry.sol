// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title CertificateRegistry
/// @notice Binds TLS certificates to on-chain accounts. A user (or provider) publishes the SHA-256
///         fingerprint of its DER certificate; a provider's gateway accepts a client certificate for a lease
///         only when the fingerprint is published by the lease's tenant and not revoked.
contract CertificateRegistry {
    error FingerprintTaken(bytes32 fingerprint, address owner);
    error NotCertificateOwner(bytes32 fingerprint, address caller);
    error ZeroFingerprint();

    event CERTIFICATE_PUBLISHED(address indexed owner, bytes32 indexed fingerprint);
    event CERTIFICATE_REVOKED(address indexed owner, bytes32 indexed fingerprint);

    struct Certificate {
        address owner;
        bool revoked;
        uint64 publishedAt;
    }

    mapping(bytes32 => Certificate) private _certificates;

    /// @notice Publishes a certificate fingerprint for the caller. A fingerprint belongs to one account forever.
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    function publish(bytes32 fingerprint) external {
        if (fingerprint == bytes32(0)) revert ZeroFingerprint();
        Certificate storage cert = _certificates[fingerprint];
        if (cert.owner != address(0)) revert FingerprintTaken(fingerprint, cert.owner);
        _certificates[fingerprint] = Certificate(msg.sender, false, uint64(block.timestamp));
        emit CERTIFICATE_PUBLISHED(msg.sender, fingerprint);
    }

    /// @notice Revokes one of the caller's certificates; it can never be valid again.
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    function revoke(bytes32 fingerprint) external {
        Certificate storage cert = _certificates[fingerprint];
        if (cert.owner != msg.sender) revert NotCertificateOwner(fingerprint, msg.sender);
        cert.revoked = true;
        emit CERTIFICATE_REVOKED(msg.sender, fingerprint);
    }

    /// @notice The account that published `fingerprint`, or zero when unknown or revoked.
    /// @param fingerprint SHA-256 of the certificate's DER encoding
    function ownerOf(bytes32 fingerprint) external view returns (address) {
        Certificate storage cert = _certificates[fingerprint];
        return cert.revoked ? address(0) : cert.owner;
    }
}
