import Foundation
import KubeModel
import Testing

@testable import KubeClient

/// Names and query values go into URLs byte for byte as RFC 3986 allows: unreserved
/// characters as they are, every other UTF-8 byte as `%XX`.
@Suite struct PathEscapeTests {
  @Test(arguments: [
    ("web-1", "web-1"),
    ("a.b_c~d", "a.b_c~d"),
    ("a b", "a%20b"),
    ("a/b", "a%2Fb"),
    ("x=1&y=2", "x%3D1%26y%3D2"),
    ("100%", "100%25"),
    ("é", "%C3%A9"),
    ("日本", "%E6%97%A5%E6%9C%AC"),
    ("", ""),
    ("app in (a,b)", "app%20in%20%28a%2Cb%29"),
  ])
  func escapes(_ text: String, _ expected: String) {
    #expect(Endpoint.escape(text) == expected)
  }

  /// The same as Foundation's encoder with the unreserved set, which it replaced.
  @Test func agreesWithFoundation() {
    let unreserved = CharacterSet(
      charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("aZ09-._~ /?#[]@!$&'()*+,;=%\"<>\\^`{|}é€𝄞\u{7F}\u{01}")
    for _ in 0..<500 {
      let text = String(
        (0..<Int.random(in: 0...12, using: &generator)).map { _ in
          alphabet.randomElement(using: &generator)!
        })
      #expect(
        Endpoint.escape(text) == text.addingPercentEncoding(withAllowedCharacters: unreserved),
        "\(text.debugDescription)")
    }
  }

  @Test func objectPathsEscapeNamespaceAndName() {
    let type = ResourceType(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    #expect(
      type.objectPath(namespace: "team a", name: "web/1")
        == "/apis/apps/v1/namespaces/team%20a/deployments/web%2F1")
  }
}
