import Foundation
import SyncValue

/// Everything a ``KubeClient`` needs to reach one cluster: where, how to trust it, and
/// who to be. Built from a kubeconfig context or from the in-cluster service account.
public struct ClientConfiguration: Sendable {
  /// `https://host:port` (a path prefix is kept, as kubectl does).
  public var server: String
  /// PEM CA bundle to trust instead of the system roots.
  public var certificateAuthority: [UInt8]?
  public var insecureSkipTLSVerify = false
  public var tlsServerName: String?
  /// `http://`, `https://` or `socks5://` proxy for every request.
  public var proxyURL: String?
  public var credentials: Credentials
  /// The context's namespace (or the service account's), for callers that want a default.
  public var namespace: String?
  /// Sent as `User-Agent`.
  public var userAgent = "syncrules/\(KubeClientVersion.current)"
  /// TCP connect timeout.
  public var connectTimeout: Duration = .seconds(10)
  /// Deadline of each non-watch request, body included.
  public var requestTimeout: Duration = .seconds(60)
  /// Where the configuration came from, for error messages (`context prod`, `in-cluster`).
  public var origin: String

  public init(server: String, credentials: Credentials = Credentials(), origin: String = "") {
    self.server = server
    self.credentials = credentials
    self.origin = origin.isEmpty ? server : origin
  }

  /// Which cluster this is, for messages: `context `standby`, https://127.0.0.1:6443`, or
  /// the server alone when it came from nowhere else. Credentials in the URL are masked.
  public var clusterLabel: String {
    let server = Redaction.url(server)
    if origin.hasPrefix("context ") {
      return "context `\(origin.dropFirst("context ".count))`, \(server)"
    }
    return origin == self.server ? server : "\(origin), \(server)"
  }
}

/// The version this library reports in its user agent.
public enum KubeClientVersion {
  public static let current = "0.1.0"
}

/// How the client proves who it is. Several may be set: a client certificate alongside a
/// bearer token is legal, and an exec plugin may supply either.
public struct Credentials: Sendable {
  /// A PEM certificate chain and private key for mutual TLS.
  public var clientCertificate: ClientIdentity?
  public var bearerToken: String?
  /// Read for a bearer token, and read again every `tokenFileRefresh` (it rotates).
  public var tokenFile: String?
  public var tokenFileRefresh: Duration = .seconds(60)
  public var basic: (username: String, password: String)?
  public var exec: ExecPluginSpec?

  public init() {}
}

/// A client certificate chain and its private key, both PEM.
public struct ClientIdentity: Sendable, Hashable {
  public var certificateChain: [UInt8]
  public var privateKey: [UInt8]

  public init(certificateChain: [UInt8], privateKey: [UInt8]) {
    self.certificateChain = certificateChain
    self.privateKey = privateKey
  }
}

/// An exec plugin to run, with what it may be told about the cluster.
public struct ExecPluginSpec: Sendable {
  public var config: Kubeconfig.ExecConfig
  /// Set in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is true.
  public var cluster: Value?
  /// A plugin that has not answered after this long is killed.
  public var timeout: Duration = .seconds(120)

  public init(config: Kubeconfig.ExecConfig, cluster: Value? = nil) {
    self.config = config
    self.cluster = cluster
  }
}

extension Kubeconfig {
  /// The names of the contexts, sorted.
  public var contextNames: [String] { contexts.keys.sorted() }

  /// Resolves a context into a client configuration, reading the files it names.
  ///
  /// - Parameter context: a context name, or nil for `current-context`.
  public func configuration(context: String? = nil) throws(KubeError) -> ClientConfiguration {
    guard let name = context ?? currentContext, !name.isEmpty else {
      throw .configuration("no context named and the kubeconfig has no current-context")
    }
    guard let entry = contexts[name] else {
      let known = contextNames.joined(separator: ", ")
      throw .configuration("context \(name) not found (known: \(known.isEmpty ? "none" : known))")
    }
    guard let cluster = clusters[entry.cluster] else {
      throw .configuration("context \(name) names cluster \(entry.cluster), which is not defined")
    }
    var user = Kubeconfig.User()
    if let userName = entry.user, !userName.isEmpty {
      guard let found = users[userName] else {
        throw .configuration("context \(name) names user \(userName), which is not defined")
      }
      user = found
    }
    let at = "context \(name)"
    var config = ClientConfiguration(server: cluster.server, origin: at)
    config.namespace = entry.namespace
    config.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify
    config.tlsServerName = cluster.tlsServerName
    config.proxyURL = cluster.proxyURL
    // Inline data wins over a file, as in client-go.
    if let data = cluster.certificateAuthorityData {
      config.certificateAuthority = data
    } else if let path = cluster.certificateAuthority {
      config.certificateAuthority = try readFile(path, what: "certificate-authority", at)
    }
    if cluster.insecureSkipTLSVerify, config.certificateAuthority != nil {
      throw .configuration(
        "\(at): insecure-skip-tls-verify cannot be combined with a certificate authority")
    }
    config.credentials = try credentials(user, cluster: cluster, at: at)
    return config
  }

  private func credentials(
    _ user: User, cluster: Cluster, at: String
  ) throws(KubeError) -> Credentials {
    var result = Credentials()
    var certificate = user.clientCertificateData
    if certificate == nil, let path = user.clientCertificate {
      certificate = try readFile(path, what: "client-certificate", at)
    }
    var key = user.clientKeyData
    if key == nil, let path = user.clientKey {
      key = try readFile(path, what: "client-key", at)
    }
    switch (certificate, key) {
    case (let certificate?, let key?):
      result.clientCertificate = ClientIdentity(certificateChain: certificate, privateKey: key)
    case (nil, nil): break
    case (_?, nil): throw .configuration("\(at): client certificate given without a client key")
    case (nil, _?): throw .configuration("\(at): client key given without a client certificate")
    }
    if let token = user.token, !token.isEmpty {
      result.bearerToken = token
    } else if let file = user.tokenFile {
      result.tokenFile = file
    }
    if let username = user.username, !username.isEmpty {
      guard result.bearerToken == nil, result.tokenFile == nil else {
        throw .configuration("\(at): username/password cannot be combined with a token")
      }
      result.basic = (username, user.password ?? "")
    }
    if let exec = user.exec {
      var spec = ExecPluginSpec(config: exec)
      if exec.provideClusterInfo { spec.cluster = Self.execClusterInfo(cluster) }
      result.exec = spec
    }
    if let provider = user.authProvider, user.exec == nil {
      throw .configuration(
        "\(at): auth-provider \(provider) is not supported; use an exec plugin instead "
          + "(for GKE: gke-gcloud-auth-plugin, for AKS: kubelogin)")
    }
    return result
  }

  /// The `spec.cluster` of `KUBERNETES_EXEC_INFO`, as client-go fills it.
  static func execClusterInfo(_ cluster: Cluster) -> Value {
    var info = ObjectValue()
    info["server"] = .string(cluster.server)
    if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
    if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = .bool(true) }
    var authority = cluster.certificateAuthorityData
    if authority == nil, let path = cluster.certificateAuthority {
      authority = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
    if let authority {
      info["certificate-authority-data"] = .string(Data(authority).base64EncodedString())
    }
    if let proxy = cluster.proxyURL { info["proxy-url"] = .string(proxy) }
    if let config = cluster.execExtension { info["config"] = config }
    return .object(info)
  }
}

func readFile(_ path: String, what: String, _ at: String) throws(KubeError) -> [UInt8] {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw .configuration("\(at): cannot read \(what) file \(path)")
  }
  return [UInt8](data)
}
