import Foundation

/// Why a request got no answer from an API server, in words an operator can act on: what
/// failed and what to check. The transport libraries' own texts (errno numbers, BoringSSL
/// error queues with source paths) never reach the user.
public struct ConnectionFailure: Sendable, Equatable, CustomStringConvertible {
  /// What went wrong.
  public enum Cause: Sendable, Equatable {
    /// Nothing listens at the address.
    case refused
    /// Connecting or waiting for the answer took too long; says which.
    case timedOut(String)
    /// The host name does not resolve.
    case unknownHost(String)
    /// The network has no route to the address.
    case noRoute
    /// The server closed or reset the connection before answering.
    case closed
    /// The certificate chain does not lead to a trusted authority. `customAuthority`:
    /// the kubeconfig names the authority (else the system's are used).
    case untrustedCertificate(ServerCertificate?, customAuthority: Bool)
    /// The certificate is outside its validity period.
    case outdatedCertificate(ServerCertificate)
    /// The certificate does not name the host connected to (or `tls-server-name`).
    case certificateNameMismatch(expected: String, certificate: ServerCertificate?)
    /// The TLS handshake failed for another reason, in words.
    case tls(String)
    /// The proxy did not connect us.
    case proxy(String)
    /// Anything else, with the library text cleaned of source paths.
    case other(String)
  }

  /// Which cluster: `context `standby`, https://127.0.0.1:6443`.
  public var cluster: String
  public var cause: Cause
  /// The proxy used (credentials masked), if any: named in the message.
  public var proxy: String?

  public init(cluster: String, cause: Cause, proxy: String? = nil) {
    self.cluster = cluster
    self.cause = cause
    self.proxy = proxy
  }

  /// `cannot reach the target cluster (context `standby`, https://…): connection refused —
  /// is the API server running and the address right?`
  ///
  /// - Parameter name: how the cluster is called, e.g. `the target cluster`.
  public func message(naming name: String = "the cluster") -> String {
    "cannot reach \(name) (\(cluster)): \(reason)"
  }

  public var description: String { message() }

  /// The cause and what to check, without the cluster.
  public var reason: String {
    let through = proxy.map { " (through the proxy \($0))" } ?? ""
    switch cause {
    case .refused:
      if let proxy {
        return "the proxy \(proxy) refused the connection — is it running, and is the "
          + "kubeconfig's proxy-url right?"
      }
      return "connection refused — is the API server running and the address right?"
    case .timedOut(let what):
      return "\(what)\(through) — is the address right, and can this machine reach it "
        + "(firewall, VPN, proxy)?"
    case .unknownHost(let host):
      return "the host name `\(host)` does not resolve (DNS) — is the server address right, "
        + "and does this machine's DNS (or VPN) know the name?"
    case .noRoute:
      return "no route to the host\(through) — is the address right, and is the network "
        + "(VPN) up?"
    case .closed:
      return "the server closed the connection without answering\(through) — is this the "
        + "address of an API server, and is the scheme (https:// or http://) right?"
    case .untrustedCertificate(let certificate, let customAuthority):
      if customAuthority {
        return "TLS verification failed: the server's certificate\(Self.about(certificate)) "
          + "is not signed by the certificate authority the kubeconfig names — is this the "
          + "right server, and is that authority current?"
      }
      return "TLS verification failed: the server's certificate\(Self.about(certificate)) "
        + "is not signed by an authority this machine trusts, and the kubeconfig names none "
        + "— add the cluster's certificate-authority-data to the kubeconfig"
    case .outdatedCertificate(let certificate):
      let now = Date()
      if certificate.notValidAfter < now {
        return "TLS verification failed: the server's certificate\(Self.about(certificate)) "
          + "expired on \(Self.day(certificate.notValidAfter)) — the API server needs a "
          + "renewed certificate"
      }
      return "TLS verification failed: the server's certificate\(Self.about(certificate)) "
        + "is not valid before \(Self.day(certificate.notValidBefore)) — is this machine's "
        + "clock right?"
    case .certificateNameMismatch(let expected, let certificate):
      guard let certificate, !certificate.names.isEmpty else {
        return "TLS verification failed: the server's certificate is not for `\(expected)` "
          + "— is the address right, or does the cluster need `tls-server-name`?"
      }
      let names = certificate.names.joined(separator: ", ")
      let suggestion = certificate.names.first { !$0.contains("*") } ?? certificate.names[0]
      return "TLS verification failed: the server's certificate is for \(names), not "
        + "`\(expected)` — is the address right? If the certificate is, set "
        + "`tls-server-name: \(suggestion)` in the kubeconfig's cluster"
    case .tls(let reason):
      return "TLS handshake failed: \(reason)"
    case .proxy(let reason):
      return "\(reason)\(through)"
    case .other(let text):
      return text + through
    }
  }

  /// ` (for localhost, 127.0.0.1; issued by CN=…)`, or nothing when it is not known.
  private static func about(_ certificate: ServerCertificate?) -> String {
    guard let certificate else { return "" }
    var parts: [String] = []
    if !certificate.names.isEmpty {
      parts.append("for " + certificate.names.joined(separator: ", "))
    }
    parts.append(
      certificate.isSelfSigned ? "self-signed" : "issued by \(certificate.issuer)")
    return " (" + parts.joined(separator: "; ") + ")"
  }

  private static func day(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    return formatter.string(from: date)
  }
}

/// What an API server's certificate says, for TLS failure messages.
public struct ServerCertificate: Sendable, Equatable {
  /// The DNS names and IP addresses it is for (its subject alternative names, else its
  /// common name).
  public var names: [String]
  /// Who signed it, as a distinguished name (`CN=kube-ca,O=example`).
  public var issuer: String
  public var isSelfSigned: Bool
  public var notValidBefore: Date
  public var notValidAfter: Date

  public init(
    names: [String], issuer: String, isSelfSigned: Bool, notValidBefore: Date,
    notValidAfter: Date
  ) {
    self.names = names
    self.issuer = issuer
    self.isSelfSigned = isSelfSigned
    self.notValidBefore = notValidBefore
    self.notValidAfter = notValidAfter
  }

  /// Whether `date` (now by default) lies outside the validity period.
  public func isOutdated(at date: Date = Date()) -> Bool {
    date < notValidBefore || date > notValidAfter
  }
}
