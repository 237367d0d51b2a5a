import Foundation
import SyncValue

/// The contents of one or more kubeconfig files, merged the way kubectl merges them.
///
/// Paths inside an entry (`certificate-authority`, `client-certificate`, `client-key`,
/// `tokenFile`, and an exec `command` that contains a `/`) are made absolute against the
/// directory of the file that names them as soon as that file is read, so merging never
/// changes what a relative path means.
public struct Kubeconfig: Sendable, Equatable {
  /// The context to use when none is named.
  public var currentContext: String?
  public var clusters: [String: Cluster]
  public var users: [String: User]
  public var contexts: [String: Context]

  public init(
    currentContext: String? = nil, clusters: [String: Cluster] = [:],
    users: [String: User] = [:], contexts: [String: Context] = [:]
  ) {
    self.currentContext = currentContext
    self.clusters = clusters
    self.users = users
    self.contexts = contexts
  }

  /// A `clusters[].cluster` entry.
  public struct Cluster: Sendable, Equatable {
    public var server: String
    /// Absolute path of a PEM file with the CA bundle.
    public var certificateAuthority: String?
    /// PEM bytes of the CA bundle (decoded from base64).
    public var certificateAuthorityData: [UInt8]?
    public var insecureSkipTLSVerify = false
    /// The name to send as SNI and to verify the server certificate against.
    public var tlsServerName: String?
    public var proxyURL: String?
    /// `extensions[name=client.authentication.k8s.io/exec].extension`, passed to exec plugins.
    public var execExtension: Value?

    public init(server: String) {
      self.server = server
    }
  }

  /// A `users[].user` entry (kubectl calls it an AuthInfo).
  public struct User: Sendable, Equatable {
    public var clientCertificate: String?
    public var clientCertificateData: [UInt8]?
    public var clientKey: String?
    public var clientKeyData: [UInt8]?
    public var token: String?
    public var tokenFile: String?
    public var username: String?
    public var password: String?
    public var exec: ExecConfig?
    /// The name of a legacy `auth-provider`, which we do not run.
    public var authProvider: String?

    public init() {}
  }

  /// A `contexts[].context` entry.
  public struct Context: Sendable, Equatable {
    public var cluster: String
    public var user: String?
    public var namespace: String?

    public init(cluster: String, user: String? = nil, namespace: String? = nil) {
      self.cluster = cluster
      self.user = user
      self.namespace = namespace
    }
  }

  /// An exec credential plugin (`users[].user.exec`).
  public struct ExecConfig: Sendable, Equatable {
    /// `client.authentication.k8s.io/v1` or `…/v1beta1`.
    public var apiVersion: String
    public var command: String
    public var args: [String] = []
    /// Added to the plugin's environment, in order.
    public var env: [(name: String, value: String)] = []
    public var provideClusterInfo = false
    /// `Never`, `IfAvailable` or `Always`; we never have a terminal, so `Always` fails.
    public var interactiveMode: String?
    public var installHint: String?

    public init(apiVersion: String, command: String) {
      self.apiVersion = apiVersion
      self.command = command
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
      lhs.apiVersion == rhs.apiVersion && lhs.command == rhs.command && lhs.args == rhs.args
        && lhs.env.map(\.name) == rhs.env.map(\.name)
        && lhs.env.map(\.value) == rhs.env.map(\.value)
        && lhs.provideClusterInfo == rhs.provideClusterInfo
        && lhs.interactiveMode == rhs.interactiveMode && lhs.installHint == rhs.installHint
    }
  }
}

// MARK: - Loading

extension Kubeconfig {
  /// The files kubectl would read: each entry of `KUBECONFIG` (`:`-separated, empty entries
  /// and repeats dropped), or `~/.kube/config` when it is unset or empty.
  public static func defaultPaths(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [String] {
    if let list = environment["KUBECONFIG"], !list.isEmpty {
      var seen = Set<String>()
      return list.split(separator: ":").map(String.init).filter {
        !$0.isEmpty && seen.insert($0).inserted
      }
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return [(home as NSString).appendingPathComponent(".kube/config")]
  }

  /// Reads and merges `paths` in order; the first file to set a name or key wins.
  ///
  /// Files that do not exist are skipped when there is more than one (as kubectl does
  /// for `KUBECONFIG` lists); a single missing file is an error, as `--kubeconfig` is.
  public static func load(paths: [String]) throws(KubeError) -> Kubeconfig {
    var merged = Kubeconfig()
    var readAny = false
    for path in paths {
      guard FileManager.default.fileExists(atPath: path) else {
        if paths.count == 1 { throw .configuration("kubeconfig \(path) does not exist") }
        continue
      }
      let text: String
      do {
        text = try String(contentsOfFile: path, encoding: .utf8)
      } catch {
        throw .configuration("cannot read kubeconfig \(path): \(error.localizedDescription)")
      }
      merged.merge(try parse(text, path: path))
      readAny = true
    }
    if !readAny, paths.count > 1 {
      throw .configuration("none of the kubeconfig files exist: \(paths.joined(separator: ":"))")
    }
    return merged
  }

  /// Loads the files of ``defaultPaths(environment:)``.
  public static func loadDefault(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(KubeError) -> Kubeconfig {
    try load(paths: defaultPaths(environment: environment))
  }

  /// Adds the entries of `other` that `self` does not have yet: per name for clusters,
  /// users and contexts (entries are not merged field by field), and the current context
  /// only if `self` has none.
  public mutating func merge(_ other: Kubeconfig) {
    if currentContext == nil || currentContext == "" { currentContext = other.currentContext }
    clusters.merge(other.clusters) { mine, _ in mine }
    users.merge(other.users) { mine, _ in mine }
    contexts.merge(other.contexts) { mine, _ in mine }
  }

  /// Parses one kubeconfig document (YAML or JSON).
  ///
  /// - Parameter path: the file the text came from; relative paths inside resolve against
  ///   its directory. Without it they resolve against the current directory.
  public static func parse(_ text: String, path: String? = nil) throws(KubeError) -> Kubeconfig {
    let origin = path ?? "kubeconfig"
    let base =
      path.map { (($0 as NSString).deletingLastPathComponent as NSString).standardizingPath }
      ?? FileManager.default.currentDirectoryPath
    let document: Value
    do {
      if text.allSatisfy(\.isWhitespace) { return Kubeconfig() }
      document = try YAML.parse(text)
    } catch {
      throw .configuration("\(origin): not valid YAML: \(error)")
    }
    guard case .object = document else {
      if document == .null { return Kubeconfig() }
      throw .configuration("\(origin): expected a mapping at the top level")
    }
    let reader = EntryReader(origin: origin, base: base)
    var config = Kubeconfig()
    config.currentContext = document["current-context"]?.stringValue.flatMap {
      $0.isEmpty ? nil : $0
    }
    for (name, body) in try reader.namedEntries(document, list: "clusters", field: "cluster") {
      if config.clusters[name] == nil { config.clusters[name] = try reader.cluster(body, name) }
    }
    for (name, body) in try reader.namedEntries(document, list: "users", field: "user") {
      if config.users[name] == nil { config.users[name] = try reader.user(body, name) }
    }
    for (name, body) in try reader.namedEntries(document, list: "contexts", field: "context") {
      if config.contexts[name] == nil { config.contexts[name] = try reader.context(body, name) }
    }
    return config
  }
}

/// Reads the entries of one file, knowing where it came from for paths and errors.
private struct EntryReader {
  let origin: String
  let base: String

  func namedEntries(
    _ document: Value, list: String, field: String
  ) throws(KubeError) -> [(String, Value)] {
    guard let items = document[list], items != .null else { return [] }
    guard let array = items.arrayValue else {
      throw .configuration("\(origin): \(list) must be a list")
    }
    var result: [(String, Value)] = []
    for item in array {
      guard let name = item["name"]?.stringValue, !name.isEmpty else {
        throw .configuration("\(origin): an entry of \(list) has no name")
      }
      result.append((name, item[field] ?? .object(ObjectValue())))
    }
    return result
  }

  func cluster(_ body: Value, _ name: String) throws(KubeError) -> Kubeconfig.Cluster {
    let at = "cluster \(name)"
    guard let server = try string(body, "server", at), !server.isEmpty else {
      throw .configuration("\(origin): \(at) has no server")
    }
    var cluster = Kubeconfig.Cluster(server: server)
    cluster.certificateAuthority = try path(body, "certificate-authority", at)
    cluster.certificateAuthorityData = try base64(body, "certificate-authority-data", at)
    cluster.insecureSkipTLSVerify = try bool(body, "insecure-skip-tls-verify", at)
    cluster.tlsServerName = try string(body, "tls-server-name", at)
    cluster.proxyURL = try string(body, "proxy-url", at)
    for item in body["extensions"]?.arrayValue ?? []
    where item["name"]?.stringValue == "client.authentication.k8s.io/exec" {
      cluster.execExtension = item["extension"]
    }
    return cluster
  }

  func user(_ body: Value, _ name: String) throws(KubeError) -> Kubeconfig.User {
    let at = "user \(name)"
    var user = Kubeconfig.User()
    user.clientCertificate = try path(body, "client-certificate", at)
    user.clientCertificateData = try base64(body, "client-certificate-data", at)
    user.clientKey = try path(body, "client-key", at)
    user.clientKeyData = try base64(body, "client-key-data", at)
    user.token = try string(body, "token", at)
    user.tokenFile = try path(body, "tokenFile", at)
    user.username = try string(body, "username", at)
    user.password = try string(body, "password", at)
    user.authProvider = body["auth-provider"]?["name"]?.stringValue
    if let exec = body["exec"], exec != .null {
      user.exec = try execConfig(exec, at + " exec")
    }
    return user
  }

  func context(_ body: Value, _ name: String) throws(KubeError) -> Kubeconfig.Context {
    let at = "context \(name)"
    guard let cluster = try string(body, "cluster", at) else {
      throw .configuration("\(origin): \(at) names no cluster")
    }
    return Kubeconfig.Context(
      cluster: cluster, user: try string(body, "user", at),
      namespace: try string(body, "namespace", at))
  }

  func execConfig(_ body: Value, _ at: String) throws(KubeError) -> Kubeconfig.ExecConfig {
    guard var command = try string(body, "command", at), !command.isEmpty else {
      throw .configuration("\(origin): \(at) has no command")
    }
    // A bare name is looked up on PATH; only a path with a separator is file-relative.
    if command.contains("/") { command = absolute(command) }
    let apiVersion = try string(body, "apiVersion", at) ?? ""
    guard ExecPlugin.supportedVersions.contains(apiVersion) else {
      throw .configuration(
        "\(origin): \(at) has apiVersion '\(apiVersion)'; supported: "
          + ExecPlugin.supportedVersions.joined(separator: ", "))
    }
    var exec = Kubeconfig.ExecConfig(apiVersion: apiVersion, command: command)
    for arg in body["args"]?.arrayValue ?? [] {
      guard let text = scalarText(arg) else {
        throw .configuration("\(origin): \(at) args must be strings")
      }
      exec.args.append(text)
    }
    for variable in body["env"]?.arrayValue ?? [] {
      guard let name = variable["name"]?.stringValue,
        let value = variable["value"].flatMap(scalarText)
      else { throw .configuration("\(origin): \(at) env entries need a name and a value") }
      exec.env.append((name, value))
    }
    exec.provideClusterInfo = try bool(body, "provideClusterInfo", at)
    exec.interactiveMode = try string(body, "interactiveMode", at)
    exec.installHint = try string(body, "installHint", at)
    return exec
  }

  // MARK: Fields

  func string(_ body: Value, _ key: String, _ at: String) throws(KubeError) -> String? {
    guard let value = body[key], value != .null else { return nil }
    guard let text = scalarText(value) else {
      throw .configuration("\(origin): \(at): \(key) must be a string")
    }
    return text
  }

  func path(_ body: Value, _ key: String, _ at: String) throws(KubeError) -> String? {
    guard let text = try string(body, key, at), !text.isEmpty else { return nil }
    return absolute(text)
  }

  func bool(_ body: Value, _ key: String, _ at: String) throws(KubeError) -> Bool {
    switch body[key] {
    case nil, .null?: return false
    case .bool(let flag)?: return flag
    case .string("true")?: return true
    case .string("false")?: return false
    default: throw .configuration("\(origin): \(at): \(key) must be true or false")
    }
  }

  func base64(_ body: Value, _ key: String, _ at: String) throws(KubeError) -> [UInt8]? {
    guard let text = try string(body, key, at), !text.isEmpty else { return nil }
    let compact = text.filter { !$0.isWhitespace }
    guard let data = Data(base64Encoded: compact) else {
      throw .configuration("\(origin): \(at): \(key) is not valid base64")
    }
    return [UInt8](data)
  }

  func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    if path.hasPrefix("~/") {
      return (NSHomeDirectory() as NSString).appendingPathComponent(String(path.dropFirst(2)))
    }
    return ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
  }

  /// YAML reads `value: 123` as a number; kubeconfig fields are strings, so take its text.
  func scalarText(_ value: Value) -> String? {
    switch value {
    case .string(let text): return text
    case .int(let number): return String(number)
    case .double(let number): return String(number)
    case .bool(let flag): return flag ? "true" : "false"
    default: return nil
    }
  }
}
