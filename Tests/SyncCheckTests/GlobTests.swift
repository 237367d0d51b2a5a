import SyncCheck
import Testing

struct GlobTests {
  static let cases: [(pattern: String, text: String, matches: Bool)] = [
    ("kube-*", "kube-system", true), ("kube-*", "kube-", true), ("kube-*", "kub", false),
    ("*-system", "kube-system", true), ("*-system", "system", false), ("*", "", true),
    ("team-?", "team-a", true), ("team-?", "team-ab", false), ("team-[ab]", "team-b", true),
    ("team-[!ab]", "team-b", false), ("*-dr-*", "shop-dr-1", true), ("*-dr-*", "shop-1", false),
    ("exact", "exact", true), ("exact", "exactly", false), ("é*", "etat", false),
    ("é*", "école", true), ("*ü", "menü", true),
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
