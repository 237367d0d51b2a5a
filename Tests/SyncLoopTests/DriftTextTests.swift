import SyncLoop
import SyncValue
import Testing

/// What `syncrules diff` prints per drifted object, from the library that renders it.
struct DriftTextTests {
  static let secretKey = ObjectKey(group: "", kind: "Secret", namespace: "shop", name: "db")

  static func secret(_ password: String) -> Value {
    [
      "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db", "namespace": "shop"],
      "data": ["password": .string(password)],
    ]
  }

  struct Case: Sendable, CustomStringConvertible {
    var description: String
    var drift: Drift
    var showingSecrets: Bool
    var contains: [String]
    var lacks: [String]
  }

  static let cases: [Case] = [
    Case(
      description: "missing: from /dev/null, values masked",
      drift: .missing(secretKey, desired: secret("czNjcjN0")),
      showingSecrets: false,
      contains: ["--- /dev/null\n", "+++ desired//Secret:shop/db\n", "+  password: '***'"],
      lacks: ["czNjcjN0"]),
    Case(
      description: "different: both sides masked, marked before and after",
      drift: .different(secretKey, desired: secret("bmV3"), live: secret("b2xk")),
      showingSecrets: false,
      contains: [
        "--- target//Secret:shop/db\n", "+++ desired//Secret:shop/db\n", "(before)", "(after)",
      ],
      lacks: ["bmV3", "b2xk"]),
    Case(
      description: "different, --show-secrets: the values",
      drift: .different(secretKey, desired: secret("bmV3"), live: secret("b2xk")),
      showingSecrets: true, contains: ["-  password: b2xk", "+  password: bmV3"], lacks: ["***"]),
    Case(
      description: "orphaned: a comment, then to /dev/null",
      drift: .orphaned(secretKey, live: secret("b2xk")), showingSecrets: false,
      contains: [
        "# /Secret:shop/db would be pruned: its source is gone or no longer selected\n",
        "+++ /dev/null\n",
      ], lacks: ["b2xk"]),
  ]

  @Test(arguments: cases)
  func rendersOneUnifiedDiffPerObject(_ entry: Case) {
    let text = DriftText.render([entry.drift], showingSecrets: entry.showingSecrets)
    for expected in entry.contains { #expect(text.contains(expected), "\(text)") }
    for unexpected in entry.lacks { #expect(!text.contains(unexpected), "\(text)") }
  }
}
