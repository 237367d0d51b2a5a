import Foundation
import KubeModel
import SyncValue
import Testing

@testable import KubeClient

@Suite struct RedactionTests {
  @Test(arguments: [
    ("http://user:s3cret@proxy:3128", "http://user:***@proxy:3128"),
    ("http://user:s3cret@proxy:3128/path?q=a@b", "http://user:***@proxy:3128/path?q=a@b"),
    ("https://user:p@ss:w@rd@proxy", "https://user:***@proxy"),
    ("socks5://proxy:1080", "socks5://proxy:1080"),
    ("http://token-only@proxy:3128", "http://token-only@proxy:3128"),
    ("user:s3cret@proxy:3128", "user:***@proxy:3128"),
    ("https://10.0.0.1:6443/prefix", "https://10.0.0.1:6443/prefix"),
  ])
  func passwordsInURLsAreMasked(url: String, shown: String) {
    #expect(Redaction.url(url) == shown)
  }

  @Test func aProxyURLInAConfigurationErrorHasNoPassword() {
    for proxy in ["https://user:s3cret@proxy:3128", "ftp://user:s3cret@proxy"] {
      var config = ClientConfiguration(server: "https://127.0.0.1:6443")
      config.proxyURL = proxy
      #expect {
        _ = try KubeClient(config)
      } throws: { error in
        let text = "\(error)"
        return text.contains("user:***@proxy") && !text.contains("s3cret")
      }
    }
  }

  @Test func theClusterLabelMasksAPasswordInTheServerURL() {
    let config = ClientConfiguration(
      server: "https://admin:s3cret@10.0.0.1:6443", origin: "context prod")
    #expect(config.clusterLabel == "context `prod`, https://admin:***@10.0.0.1:6443")
  }

  @Test func secretValuesAreMaskedAtAnyDepthAndKeysKept() throws {
    let echoed = try JSON.parse(
      #"{"kind":"List","items":[{"kind":"Secret","data":{"password":"czNjcjN0"},"#
        + #""stringData":{"token":"plain"},"metadata":{"name":"db"}},"#
        + #"{"kind":"ConfigMap","data":{"k":"v"}},{"data":"c2VjcmV0"}]}"#)
    let masked = Redaction.secretValues(in: echoed)
    let text = JSON.serialize(masked)
    #expect(!text.contains("czNjcjN0") && !text.contains("plain") && !text.contains("c2VjcmV0"))
    let items = masked["items"]?.arrayValue ?? []
    #expect(items.count == 3)
    #expect(items.first?["data"] == ["password": "***"])
    #expect(items.first?["stringData"] == ["token": "***"])
    #expect(items.first?["metadata"]?["name"] == "db")
    #expect(items.dropFirst().first?["data"] == ["k": "***"])
    #expect(items.last?["data"] == "***")
  }
}

/// Error answers that are not a `Status` are quoted in errors (and so in logs); they can
/// echo the request, Secret values included.
@Suite struct ErrorBodyTests {
  static let secrets = ResourceType(
    group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true)
  static let echo =
    #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"#
    + #""data":{"password":"czNjcjN0LXBhc3N3b3Jk"}}"#

  @Test func anAnswerToASecretRequestIsNeverQuoted() async throws {
    try await withStub(
      respond: Responder { _ in .full(status: 502, headers: [], body: Self.echo) }
    ) { client, _ in
      let secret: Value = try JSON.parse(Self.echo)
      do {
        _ = try await client.apply(secret.settingNamespace("shop"), to: Self.secrets)
        Issue.record("expected 502")
      } catch let error as KubeError {
        #expect(error.code == 502)
        let text = "\(error)"
        #expect(!text.contains("czNjcjN0LXBhc3N3b3Jk"), "\(text)")
        #expect(text.contains("not shown: the request concerns Secrets"), "\(text)")
      }
    }
  }

  @Test func aJSONAnswerIsQuotedWithDataMasked() async throws {
    try await withStub(
      respond: Responder { _ in .full(status: 500, headers: [], body: Self.echo) }
    ) { client, _ in
      do {
        _ = try await client.get(configMaps, namespace: "shop", name: "db")
        Issue.record("expected 500")
      } catch let error as KubeError {
        let message = error.status?.message ?? ""
        #expect(!message.contains("czNjcjN0LXBhc3N3b3Jk"), "\(message)")
        #expect(message.contains(#""password":"***""#), "\(message)")
        #expect(message.contains(#""name":"db""#), "\(message)")
      }
    }
  }
}

extension Value {
  fileprivate func settingNamespace(_ namespace: String) -> Value {
    guard case .object(var root) = self, case .object(var metadata)? = root["metadata"] else {
      return self
    }
    metadata["namespace"] = .string(namespace)
    root["metadata"] = .object(metadata)
    return .object(root)
  }
}
