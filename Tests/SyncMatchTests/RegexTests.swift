import Testing

@testable import SyncMatch

/// The regex engine is RE2: Go's syntax, linear-time matching. Each hostile case here
/// ran for minutes (or forever) on the backtracking engine used before.
struct RegexTests {
  static let wholeMatches: [(pattern: String, text: String, matches: Bool)] = [
    ("web-[0-9]+", "web-12", true), ("web-[0-9]+", "web-12a", false),
    ("(?i)WEB", "web", true), (#"\d+\.\d+"#, "1.25", true), ("[[:alpha:]]+", "abc", true),
    (#"\pL+"#, "école", true), ("é.", "éa", true), ("a|b", "b", true), ("", "", true),
    ("(?P<x>a)b", "ab", true), ("(?<x>a)b", "ab", true), (".", "é", true),
    ("a{2,3}", "aaaa", false),
    // Catastrophic for a backtracking engine: (a+)+ over 30 or 50,000 `a` and a mismatch.
    ("(a+)+$", String(repeating: "a", count: 30) + "!", false),
    ("(a|aa)*b", String(repeating: "a", count: 50_000), false),
    ("(x+x+)+y", String(repeating: "x", count: 50_000), false),
  ]

  @Test(arguments: wholeMatches)
  func matchesWholeText(_ example: (pattern: String, text: String, matches: Bool)) throws {
    let regex = try CompiledRegex(example.pattern)
    #expect(regex.matchesWhole(example.text) == example.matches)
  }

  static let replacements: [(pattern: String, text: String, template: String, result: String)] = [
    ("^docker\\.io/(.+)$", "docker.io/library/nginx", "mirror/$1", "mirror/library/nginx"),
    ("^docker\\.io/(?<path>.+)$", "docker.io/app", "m/${path}", "m/app"),
    ("^docker\\.io/(?P<path>.+)$", "docker.io/app", "m/${path}:$$", "m/app:$"),
    ("(a)(b)?", "ac", "[$1|$2|${1}]", "[a||a]c"),
    // Empty matches advance by one character, UTF-8 included (as Go's ReplaceAllString).
    ("x*", "aéb", "-", "-a-é-b-"),
    ("o", "foo boo", "0", "f00 b00"),
    ("(?P<n>[0-9]+)", "v1.25", "<${n}>", "v<1>.<25>"),
    ("z", "", "y", ""),
    ("^", "", "y", "y"),
  ]

  @Test(arguments: replacements)
  func replacesEveryMatch(
    _ example: (pattern: String, text: String, template: String, result: String)
  ) throws {
    let regex = try CompiledRegex(example.pattern)
    #expect(regex.replacingMatches(in: example.text, with: example.template) == example.result)
  }

  @Test func hostileReplacementFinishes() throws {
    let regex = try CompiledRegex("(a+)+b")
    let text = String(repeating: "a", count: 100_000)
    #expect(regex.replacingMatches(in: text, with: "x") == text)
  }

  static let refused: [(pattern: String, explanation: String)] = [
    (#"(a)\1"#, "backreferences are not supported"),
    ("a(?=b)", "lookahead and lookbehind are not supported"),
    ("a(?!b)", "lookahead and lookbehind are not supported"),
    ("(?<=a)b", "lookahead and lookbehind are not supported"),
    ("(?<!a)b", "lookahead and lookbehind are not supported"),
    ("a++", "possessive quantifiers are not supported"),
    ("web-(a|b", "missing"),
    ("a{1001}", "invalid repetition size"),
  ]

  @Test(arguments: refused)
  func constructsThatNeedBacktrackingAreRefused(_ example: (pattern: String, explanation: String)) {
    do {
      _ = try CompiledRegex(example.pattern)
      Issue.record("`\(example.pattern)` compiled")
    } catch {
      #expect(error.message.contains(example.explanation), "\(error.message)")
    }
  }

  @Test func namedGroupSyntaxIsTranslatedOnlyOutsideClassesAndEscapes() {
    #expect(CompiledRegex.translatingNamedGroups("(?<a>x)") == "(?P<a>x)")
    #expect(CompiledRegex.translatingNamedGroups(#"\(?<a>x)"#) == #"\(?<a>x)"#)
    #expect(CompiledRegex.translatingNamedGroups("[(?<a>]") == "[(?<a>]")
    #expect(CompiledRegex.translatingNamedGroups("[]](?<a>x)") == "[]](?P<a>x)")
    #expect(CompiledRegex.translatingNamedGroups("(?<=a)") == "(?<=a)")
  }

  @Test func firstMatchGivesByteOffsets() throws {
    let regex = try CompiledRegex("b+")
    #expect(regex.firstMatch(in: "éabbc") == 3..<5)
    #expect(regex.firstMatch(in: "xyz") == nil)
  }
}
