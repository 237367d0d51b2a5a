import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate authority made at start-up, with the serving certificate it signed.
///
/// P-256 keys keep generation instant; kubectl (Go) and BoringSSL both accept them. The
/// CA key never leaves memory, so certificates from one run are worthless in the next.
struct CertificateAuthority: Sendable {
  let key: Certificate.PrivateKey
  let publicKey: Certificate.PublicKey
  let certificate: Certificate
  let name: DistinguishedName

  init() throws {
    let p256 = P256.Signing.PrivateKey()
    key = Certificate.PrivateKey(p256)
    publicKey = Certificate.PublicKey(p256.publicKey)
    name = try DistinguishedName {
      OrganizationName("syncrules")
      CommonName("kube-api-server test CA")
    }
    let now = Date()
    let publicKey = self.publicKey
    let key = self.key
    let name = self.name
    certificate = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(),
      publicKey: publicKey,
      notValidBefore: now.addingTimeInterval(-3600),
      notValidAfter: now.addingTimeInterval(10 * 365 * 86_400), issuer: name, subject: name,
      signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
        Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
        SubjectKeyIdentifier(hash: publicKey)
      },
      issuerPrivateKey: key)
  }

  var certificatePEM: String {
    (try? certificate.serializeAsPEM().pemString) ?? ""
  }

  /// A leaf certificate and its key in PEM: for the server (for `servingNames`: DNS names
  /// and IPv4 addresses) or for a client (common name = user, organizations = groups).
  func issue(
    commonName: String, organizations: [String] = [], server: Bool,
    servingNames: [String] = ["localhost", "127.0.0.1"]
  ) throws -> (
    certificatePEM: String, privateKeyPEM: String
  ) {
    let leafKey = P256.Signing.PrivateKey()
    let subject = try DistinguishedName {
      for organization in organizations { OrganizationName(organization) }
      CommonName(commonName)
    }
    let now = Date()
    let certificate = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(),
      publicKey: Certificate.PublicKey(leafKey.publicKey),
      notValidBefore: now.addingTimeInterval(-3600),
      notValidAfter: now.addingTimeInterval(365 * 86_400), issuer: name, subject: subject,
      signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.notCertificateAuthority)
        Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
        try ExtendedKeyUsage([server ? .serverAuth : .clientAuth])
        AuthorityKeyIdentifier(
          keyIdentifier: SubjectKeyIdentifier(hash: publicKey)
            .keyIdentifier)
        if server {
          SubjectAlternativeNames(
            servingNames.map { name in
              let octets = name.split(separator: ".").compactMap { UInt8($0) }
              return octets.count == 4 && name.split(separator: ".").count == 4
                ? .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))) : .dnsName(name)
            })
        }
      },
      issuerPrivateKey: key)
    return (try certificate.serializeAsPEM().pemString, leafKey.pemRepresentation)
  }

  /// The TLS context that serves with a fresh certificate for `names` and accepts (but
  /// does not require) client certificates signed by this CA.
  func serverContext(names: [String]) throws -> NIOSSLContext {
    let leaf = try issue(commonName: "kube-apiserver", server: true, servingNames: names)
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: [
        .certificate(try NIOSSLCertificate(bytes: Array(leaf.certificatePEM.utf8), format: .pem))
      ],
      privateKey: .privateKey(
        try NIOSSLPrivateKey(bytes: Array(leaf.privateKeyPEM.utf8), format: .pem)))
    configuration.certificateVerification = .optionalVerification
    // When the server closes a connection (a restart, `Connection: close`) it waits this
    // long for the client's close_notify: an idle client that is not reading never sends
    // one, and NIOSSL's default of 5 s would stretch every restart by that much.
    configuration.shutdownTimeout = .milliseconds(100)
    configuration.trustRoots = .certificates([
      try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
    ])
    return try NIOSSLContext(configuration: configuration)
  }
}

/// The user a verified client certificate names: its common name.
func commonName(of certificate: NIOSSLCertificate) -> String? {
  guard let der = try? certificate.toDERBytes(),
    let parsed = try? Certificate(derEncoded: der)
  else { return nil }
  for relativeName in parsed.subject {
    for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
      return String(describing: attribute.value)
    }
  }
  return nil
}
