import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// Diffs show that a Secret's values changed, not what they are, unless --show-secrets.
@Suite(.serialized)
struct SecretMaskingCommandTests {
  /// `password` of `shop/postgres-credentials` in docs/examples/production.json.
  static let productionPassword = "czNjcjN0LXBhc3N3b3JkLWZvci1kcg=="
  static let standbyPassword = "b2xkLXBhc3N3b3Jk"

  @Test func diffMasksSecretValuesUnlessAskedToShowThem() async throws {
    // The standby holds an older copy of the Secret: same username, other password.
    let clusters = try await ClusterPair.start(
      production: .init(initialObjects: try ClusterPair.exampleObjects()),
      standby: .init(initialObjects: [
        [
          "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
          "metadata": ["name": "postgres-credentials", "namespace": "shop"],
          "data": ["username": "c2hvcA==", "password": .string(Self.standbyPassword)],
        ]
      ]))
    let (production, standby) = (clusters.production, clusters.standby)
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let command = ["diff", "-f", "docs/examples/dr-standby.sync"] + clusters.arguments

    let masked = try await CLI.runAsync(command)
    #expect(masked.status == 1, "\(masked.stderr)")
    #expect(!masked.stdout.contains(Self.productionPassword))
    #expect(!masked.stdout.contains(Self.standbyPassword))
    #expect(!masked.stdout.contains("c2hvcA=="))
    // The changed key shows as changed, the equal one as equal, the new ones as added.
    #expect(masked.stdout.contains("-  password: '*** (before)'\n+  password: '*** (after)'\n"))
    #expect(masked.stdout.contains("   username: '***'\n"))
    #expect(masked.stdout.contains("+  tls.key: '***'\n"))

    let shown = try await CLI.runAsync(command + ["--show-secrets"])
    #expect(shown.status == 1, "\(shown.stderr)")
    #expect(shown.stdout.contains("+  password: \(Self.productionPassword)\n"))
    #expect(shown.stdout.contains("-  password: \(Self.standbyPassword)\n"))
  }

  @Test func applyDiffMasksSecretValuesUnlessAskedToShowThem() throws {
    let directory = try TemporaryDirectory(prefix: "secret-apply")
    let rules = directory.file("secrets.sync")
    try """
    rule secrets match v1 Secret {
      set metadata.annotations."dr.example.com/copy" = "true"
      set data."extra" = "ZXh0cmE="
    }
    """.write(toFile: rules, atomically: true, encoding: .utf8)
    let secret = Data(
      (#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"#
        + #""data":{"password":"\#(Self.productionPassword)"}}"#).utf8)

    let masked = try CLI.run(["apply", "-f", rules, "--diff", "-o", "yaml"], stdin: secret)
    #expect(masked.status == 0, "\(masked.stderr)")
    #expect(!masked.stdout.contains(Self.productionPassword), "\(masked.stdout)")
    #expect(!masked.stdout.contains("ZXh0cmE="), "\(masked.stdout)")
    #expect(masked.stdout.contains("+  extra: '***'\n"), "\(masked.stdout)")
    #expect(masked.stdout.contains("   password: '***'\n"), "\(masked.stdout)")
    #expect(masked.stdout.contains("+    dr.example.com/copy: 'true'\n"), "\(masked.stdout)")

    let shown = try CLI.run(
      ["apply", "-f", rules, "--diff", "-o", "yaml", "--show-secrets"], stdin: secret)
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.contains("   password: \(Self.productionPassword)\n"), "\(shown.stdout)")
  }
}
