import FuzzSupport
import KubeClient
import SyncValue

/// Bytes as one kubeconfig file, or two (cut at a NUL byte) merged as `KUBECONFIG=a:b`
/// would: parsing must fail with an error or give a config whose merge keeps the first
/// file's entries, and every context that names no file resolves or fails cleanly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKubeconfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let (first, second) = splitAtNUL(fuzzBytes(data, size))
  // Relative paths in the files resolve here, a directory that does not exist.
  let path = "/nonexistent-syncrules-fuzz/config"
  guard let config = try? Kubeconfig.parse(String(decoding: first, as: UTF8.self), path: path)
  else { return 0 }

  var fromEmpty = Kubeconfig()
  fromEmpty.merge(config)
  require(fromEmpty == config, "merging into an empty config changed it")
  var withItself = config
  withItself.merge(config)
  require(withItself == config, "merging a config with itself changed it")
  resolveContexts(config)

  guard let second,
    let other = try? Kubeconfig.parse(String(decoding: second, as: UTF8.self), path: path)
  else { return 0 }
  var merged = config
  merged.merge(other)
  require(
    merged.currentContext == (config.currentContext ?? other.currentContext),
    "the current context is not the first file's (or else the second's)")
  for (name, cluster) in merged.clusters {
    require(cluster == (config.clusters[name] ?? other.clusters[name]), "cluster \(name)")
  }
  for (name, user) in merged.users {
    require(user == (config.users[name] ?? other.users[name]), "user \(name)")
  }
  for (name, context) in merged.contexts {
    require(context == (config.contexts[name] ?? other.contexts[name]), "context \(name)")
  }
  require(
    merged.clusters.count >= config.clusters.count && merged.users.count >= config.users.count
      && merged.contexts.count >= config.contexts.count, "merge lost entries")
  resolveContexts(merged)
  return 0
}

/// Resolves the current context and every named one, unless the config names a file
/// (a fuzzed path could be /dev/zero): what the resolution does with inline data is
/// what is under test.
private func resolveContexts(_ config: Kubeconfig) {
  let namesFiles =
    config.clusters.values.contains { $0.certificateAuthority != nil }
    || config.users.values.contains {
      $0.clientCertificate != nil || $0.clientKey != nil || $0.tokenFile != nil
    }
  if namesFiles { return }
  for name in [nil] + config.contextNames {
    guard let resolved = try? config.configuration(context: name) else { continue }
    let context = config.contexts[name ?? config.currentContext ?? ""]
    require(context != nil, "resolved a context that does not exist")
    require(
      resolved.server == config.clusters[context!.cluster]?.server,
      "the server is not the context's cluster's")
  }
}
