import Foundation

extension ClientConfiguration {
  /// Where a pod's service account credentials are mounted.
  public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

  /// True when `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are set, as they
  /// are in every pod.
  public static func isInCluster(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> Bool {
    !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty
      && !(environment["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
  }

  /// The configuration of a pod talking to its own cluster through its service account.
  ///
  /// The token is not read here but by the client, from `directory/token`, and again every
  /// `tokenRefresh`: projected service account tokens rotate (hourly by default) and the
  /// kubelet replaces the file well before the old token expires.
  ///
  /// - Parameter directory: the mounted service account; tests pass a temporary one.
  public static func inCluster(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    directory: String = serviceAccountDirectory,
    tokenRefresh: Duration = .seconds(60)
  ) throws(KubeError) -> ClientConfiguration {
    guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
      let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
    else {
      throw .configuration(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset")
    }
    let at = "in-cluster"
    let tokenPath = (directory as NSString).appendingPathComponent("token")
    guard FileManager.default.isReadableFile(atPath: tokenPath) else {
      throw .configuration("\(at): cannot read service account token \(tokenPath)")
    }
    // An IPv6 service address needs brackets in a URL.
    let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    var credentials = Credentials()
    credentials.tokenFile = tokenPath
    credentials.tokenFileRefresh = tokenRefresh
    var config = ClientConfiguration(
      server: "https://\(hostPart):\(port)", credentials: credentials, origin: at)
    config.certificateAuthority = try readFile(
      (directory as NSString).appendingPathComponent("ca.crt"), what: "ca.crt", at)
    let namespacePath = (directory as NSString).appendingPathComponent("namespace")
    if let data = FileManager.default.contents(atPath: namespacePath) {
      let namespace = String(decoding: data, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      config.namespace = namespace.isEmpty ? nil : namespace
    }
    return config
  }
}

extension ClientConfiguration {
  /// Finds the configuration the way kubectl does, for a command-line flag pair such as
  /// `--from-kubeconfig`/`--from-context`.
  ///
  /// An explicit `kubeconfig` path is read alone. Otherwise the `KUBECONFIG` list or
  /// `~/.kube/config` is used when any of those files exists, and the pod's service
  /// account when none does and the process runs in a cluster.
  ///
  /// - Parameters:
  ///   - kubeconfig: a kubeconfig file, or nil for the default search.
  ///   - context: a context name, or nil for the current context.
  public static func resolve(
    kubeconfig: String? = nil, context: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(KubeError) -> ClientConfiguration {
    if let kubeconfig {
      return try Kubeconfig.load(paths: [kubeconfig]).configuration(context: context)
    }
    let paths = Kubeconfig.defaultPaths(environment: environment)
    let anyExists = paths.contains { FileManager.default.fileExists(atPath: $0) }
    if !anyExists, context == nil, isInCluster(environment: environment) {
      return try inCluster(environment: environment)
    }
    guard anyExists else {
      throw .configuration(
        "no kubeconfig found (looked at \(paths.joined(separator: ":"))) and not in a cluster")
    }
    return try Kubeconfig.load(paths: paths).configuration(context: context)
  }
}
