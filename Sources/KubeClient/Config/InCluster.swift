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
