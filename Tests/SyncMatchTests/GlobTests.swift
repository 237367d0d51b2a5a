import SyncMatch
import Testing

struct GlobTests {
  static let cases: [(pattern: String, text: String, matches: Bool)] = [
    ("kube-*", "kube-system", true), ("kube-*", "kube-", true), ("kube-*", "kub", false),
    ("*-system", "kube-system", true), ("*-system", "system", false), ("*", "", true),
    ("team-?", "team-a", true), ("team-?", "team-ab", false), ("team-[ab]", "team-b", true),
    ("team-[!ab]", "team-b", false), ("*-dr-*", "shop-dr-1", true), ("*-dr-*", "shop-1", false),
    ("exact", "exact", true), ("exact", "exactly", false), ("é*", "etat", false),
    ("é*", "école", true), ("*ü", "menü", true), ("*a*b", "aXaXb", true),
    ("a*b*c", "abbbc", true), ("a*b*c", "abbb", false), ("*?", "", false), ("?*", "x", true),
    ("*[0-9]", "web-1", true), ("**x", "x", true), ("a*a", "a", false), ("a*a", "aa", true),
    ("*ab*ab", "abab", true), ("*ab*ab", "aab", false),
    // Exponential for a backtracking matcher: many `*` and a text that does not match.
    (String(repeating: "*a", count: 30) + "b", String(repeating: "a", count: 10_000), false),
    (String(repeating: "*a", count: 30), String(repeating: "a", count: 10_000), true),
  ]

  @Test(arguments: cases)
  func matchesWholeNames(_ example: (pattern: String, text: String, matches: Bool)) throws {
    let glob = try Glob(example.pattern)
    #expect(glob.matches(example.text) == example.matches, "\(example.pattern) vs \(example.text)")
  }

  @Test func invalidGlobsExplainThemselves() {
    #expect(throws: Glob.SyntaxError.self) { try Glob("team-[") }
    #expect(throws: Glob.SyntaxError.self) { try Glob("[z-a]") }
  }
}
