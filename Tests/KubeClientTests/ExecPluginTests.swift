import Foundation
import NIOConcurrencyHelpers
import SyncValue
import TestSupport
import Testing

@testable import KubeClient

/// A shell-script credential plugin that records how it was run in its directory.
struct FakePlugin {
  let dir: TemporaryDirectory
  let path: String

  init(apiVersion: String = "client.authentication.k8s.io/v1") throws {
    dir = try TemporaryDirectory()
    path = try dir.write(
      "bin/plugin",
      """
      #!/bin/sh
      d="$PLUGIN_DIR"
      n=$(cat "$d/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$d/count"
      printf '%s' "$KUBERNETES_EXEC_INFO" > "$d/info"
      printf '%s' "$PLUGIN_VAR" > "$d/env"
      printf '%s' "$*" > "$d/args"
      if [ -f "$d/fail" ]; then
        echo '{"status":{"token":"half-printed-token"'
        echo "refreshing cached token leaked-token-123 failed: run aws sso login" >&2; exit 3
      fi
      if [ -f "$d/garbage" ]; then echo "not json"; exit 0; fi
      if [ -f "$d/credential.json" ]; then cat "$d/credential.json"; exit 0; fi
      exp=""
      if [ -f "$d/expiry" ]; then exp=",\\"expirationTimestamp\\":\\"$(cat "$d/expiry")\\""; fi
      printf '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"tok-%s"%s}}' "$n" "$exp"
      """, executable: true)
  }

  func spec(apiVersion: String = "client.authentication.k8s.io/v1") -> ExecPluginSpec {
    var config = Kubeconfig.ExecConfig(apiVersion: apiVersion, command: path)
    config.args = ["get-token", "--cluster", "prod"]
    config.env = [("PLUGIN_DIR", dir.path), ("PLUGIN_VAR", "from-kubeconfig")]
    config.provideClusterInfo = true
    return ExecPluginSpec(
      config: config, cluster: ["server": "https://prod.example", "config": ["region": "eu"]])
  }

  var runs: Int { Int(dir.read("count").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
}

/// `ExecPlugin.run`, again when the kernel finds the freshly written script busy: a child
/// another test forks at that moment holds the script's write descriptor until it execs
/// (ETXTBSY). An installed plugin is never being written, so the client does not retry.
func runPlugin(
  _ spec: ExecPluginSpec, environment: [String: String]
) async throws(KubeError) -> ExecCredential {
  var attempt = 0
  while true {
    do {
      return try await ExecPlugin.run(spec, environment: environment)
    } catch {
      attempt += 1
      guard attempt < 5, "\(error)".contains("Text file busy") else { throw error }
      try? await Task.sleep(for: .milliseconds(50))
    }
  }
}

@Suite struct ExecPluginTests {
  @Test func pluginGetsEnvArgsAndExecInfo() async throws {
    let plugin = try FakePlugin()
    let credential = try await runPlugin(plugin.spec(), environment: ["PATH": "/usr/bin:/bin"])
    #expect(credential.token == "tok-1")
    #expect(credential.expiration == nil)
    #expect(plugin.dir.read("env") == "from-kubeconfig")
    #expect(plugin.dir.read("args") == "get-token --cluster prod")
    let info = try JSON.parse(plugin.dir.read("info"))
    #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
    #expect(info["kind"] == "ExecCredential")
    #expect(info["spec"]?["interactive"] == false)
    #expect(info["spec"]?["cluster"]?["server"] == "https://prod.example")
    #expect(info["spec"]?["cluster"]?["config"] == ["region": "eu"])
  }

  @Test func clusterInfoOnlyWhenAskedFor() async throws {
    let plugin = try FakePlugin()
    var spec = plugin.spec()
    spec.config.provideClusterInfo = false
    _ = try await runPlugin(spec, environment: [:])
    #expect(try JSON.parse(plugin.dir.read("info"))["spec"] == ["interactive": false])
  }

  /// A plugin that fails half way may have printed the token (on either stream): the
  /// error says what failed and how to see the messages, never what it printed.
  @Test func failureNamesThePluginButNotWhatItPrinted() async throws {
    let plugin = try FakePlugin()
    try plugin.dir.write("fail", "")
    await #expect {
      _ = try await runPlugin(plugin.spec(), environment: [:])
    } throws: { error in
      let text = "\(error)"
      return text.contains(plugin.path) && text.contains("exited with status 3")
        && text.contains("run the command") && !text.contains("leaked-token-123")
        && !text.contains("half-printed-token") && !text.contains("aws sso login")
    }
  }

  @Test func unusableOutputAndVersionMismatchAreErrors() async throws {
    let plugin = try FakePlugin()
    await #expect {
      _ = try await runPlugin(
        plugin.spec(apiVersion: "client.authentication.k8s.io/v1beta1"), environment: [:])
    } throws: { "\($0)".contains("answered with apiVersion") }
    try plugin.dir.write("garbage", "")
    await #expect {
      _ = try await runPlugin(plugin.spec(), environment: [:])
    } throws: { "\($0)".contains("not JSON") }
    var missing = plugin.spec()
    missing.config.command = plugin.dir.file("bin/nope")
    missing.config.installHint = "install it with brew"
    await #expect {
      _ = try await runPlugin(missing, environment: [:])
    } throws: { "\($0)".contains("install it with brew") }
    var notOnPath = plugin.spec()
    notOnPath.config.command = "syncrules-no-such-plugin"
    notOnPath.config.installHint = "install it with apt"
    await #expect {
      _ = try await runPlugin(notOnPath, environment: ["PATH": "/usr/bin:/bin"])
    } throws: { "\($0)".contains("install it with apt") && "\($0)".contains("status 127") }
  }

  @Test func credentialIsCachedAndPluginRerunAfter401() async throws {
    let plugin = try FakePlugin()
    var credentials = Credentials()
    credentials.exec = plugin.spec()
    let rejected = NIOLockedValueBox<Set<String>>([])
    try await withStub(
      credentials: credentials,
      respond: Responder { request in
        let header = request.headers["Authorization"].first ?? ""
        return rejected.withLockedValue { $0.contains(header) }
          ? .status(401, reason: "Unauthorized") : .json("{}")
      }
    ) { client, server in
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      #expect(plugin.runs == 1)
      rejected.withLockedValue { _ = $0.insert("Bearer tok-1") }
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      #expect(plugin.runs == 2)
      #expect(
        server.requests.map { $0.headers["Authorization"].first ?? "" }
          == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"])
      // A 401 that fresh credentials do not cure is reported, after one retry.
      rejected.withLockedValue { _ = $0.insert("Bearer tok-3") }
      rejected.withLockedValue { _ = $0.insert("Bearer tok-2") }
      await #expect {
        _ = try await client.get(configMaps, namespace: "a", name: "b")
      } throws: { ($0 as? KubeError)?.code == 401 }
      #expect(plugin.runs == 3)
    }
  }

  @Test func credentialIsReusedUntilExpiry() async throws {
    let plugin = try FakePlugin()
    let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3))
    try plugin.dir.write("expiry", expiry)
    var credentials = Credentials()
    credentials.exec = plugin.spec()
    try await withStub(credentials: credentials, respond: Responder { _ in .json("{}") }) {
      client, _ in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<5 {
          group.addTask { _ = try await client.get(configMaps, namespace: "a", name: "b") }
        }
        try await group.waitForAll()
      }
      #expect(plugin.runs == 1)
      let expires = try #require(ISO8601DateFormatter().date(from: expiry))
      try await Task.sleep(for: .seconds(expires.timeIntervalSinceNow + 0.2))
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      #expect(plugin.runs == 2)
    }
  }
}
