import Foundation
import SyncCheck
import SyncCompile
import SyncDriver
import SyncProgram
import SyncRuntime
import SyncSyntax
import SyncValue
import TestSupport
import Testing

/// Rule files nested past any sensible depth are refused with E0118 (or E0207 when groups
/// inline into too much code), and files right at the limit go through every stage —
/// check, compile, `explain`, evaluation — on a thread with a small stack. Before the
/// limit existed, each hostile case below crashed the process with a stack overflow.
///
/// The rules match a kind the checker has no schema for (W0305), so that any path and
/// any value nest as deep as the case needs.
struct NestingLimitTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    /// Rule text for a nesting of `depth` levels.
    var text: @Sendable (Int) -> String
    var testDescription: String { name }
  }

  static let limit = Parser.maximumNestingDepth

  static func repeated(_ text: String, _ count: Int, separator: String = "") -> String {
    Array(repeating: text, count: count).joined(separator: separator)
  }

  static let cases: [Case] = [
    Case(name: "parentheses in a condition") { depth in
      "rule t match example.com/v1 Widget when \(repeated("(", depth))spec.a == \"1\"\(repeated(")", depth))\n"
    },
    Case(name: "lists in a value") { depth in
      "rule t match example.com/v1 Widget { set spec.a = \(repeated("[", depth))\(repeated("]", depth)) }\n"
    },
    Case(name: "maps in a value") { depth in
      "rule t match example.com/v1 Widget { set spec.a = \(repeated("{a:", depth))1\(repeated("}", depth)) }\n"
    },
    Case(name: "not") { depth in
      "rule t match example.com/v1 Widget when \(repeated("not ", depth))spec.a == \"1\"\n"
    },
    Case(name: "or chain") { depth in
      "rule t match example.com/v1 Widget when \(repeated("spec.a == \"1\"", depth + 1, separator: " or "))\n"
    },
    Case(name: "and chain") { depth in
      "rule t match example.com/v1 Widget when \(repeated("spec.a == \"1\"", depth + 1, separator: " and "))\n"
    },
    Case(name: "when blocks") { depth in
      "rule t match example.com/v1 Widget {\n" + repeated("when spec.a == \"1\" {\n", depth)
        + "set spec.b = \"2\"\n" + repeated("}\n", depth) + "}\n"
    },
    Case(name: "else when chain") { depth in
      "rule t match example.com/v1 Widget {\n"
        + repeated("when spec.a == \"1\" { set spec.b = \"2\" }", depth, separator: " else ")
        + "\n}\n"
    },
    Case(name: "path segments") { depth in
      "rule t match example.com/v1 Widget { set spec.\(repeated("b", depth - 1, separator: ".")) = 1 }\n"
    },
    Case(name: "groups using groups") { depth in
      (1..<depth).map { "group g\($0) { use g\($0 - 1) }\n" }.joined()
        + "group g0 { set spec.b = \"2\" }\nrule t match example.com/v1 Widget { use g\(depth - 1) }\n"
    },
  ]

  /// Far past the limit: refused with E0118, on a small stack, and other rules of the
  /// file are still checked.
  @Test(arguments: cases)
  func deepNestingIsRefused(_ hostile: Case) throws {
    let text = hostile.text(10_000) + "rule next match v1 Secret { set data.x = 1 }\n"
    let diagnostics = try Self.onSmallStack {
      RuleSet.load(text: text, path: "deep.sync").diagnostics
    }
    #expect(diagnostics.contains { $0.code == .nestingTooDeep }, "\(diagnostics)")
    // The file goes on being checked after the cut: the next rule's type error is found.
    #expect(diagnostics.contains { $0.code == .typeMismatch }, "\(diagnostics)")
    #expect(diagnostics.filter { $0.code == .nestingTooDeep }.count == 1)
  }

  /// At the limit: accepted, compiled, explained and run over an object on a small stack.
  @Test(arguments: cases)
  func nestingAtTheLimitRunsEverywhere(_ case: Case) throws {
    let text = `case`.text(Self.limit)
    let object = try JSON.parse(
      #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"a":"1"}}"#)
    let (diagnostics, explained, outcome) = try Self.onSmallStack {
      let rules = RuleSet.load(text: text, path: "limit.sync")
      guard let program = rules.program else { return (rules.diagnostics, "", Outcome.unmatched) }
      let outcome = Evaluator(program: program).evaluate(object)
      // The rewritten object is written out as well (a value nested as deep as the rule).
      if case .rewritten(let value, _) = outcome { _ = JSON.serialize(value) }
      return (rules.diagnostics, Disassembler.render(program), outcome)
    }
    #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
    #expect(explained.contains("rule t"))
    guard case .rewritten = outcome else {
      Issue.record("expected the object to be rewritten, got \(outcome)")
      return
    }
  }

  @Test func groupsThatInlineIntoTooMuchCodeAreRefused() throws {
    // Each group uses the next twice: 2^40 edits once inlined.
    let text =
      (1...40).map { "group g\($0) { use g\($0 - 1)\n use g\($0 - 1) }\n" }.joined()
      + "group g0 { set spec.b = \"2\" }\nrule t match example.com/v1 Widget { use g40 }\n"
    let diagnostics = RuleSet.load(text: text, path: "wide.sync").diagnostics
    #expect(diagnostics.filter { $0.severity == .error }.map(\.code) == [.ruleTooLarge])
  }

  @Test func importChainsAreBounded() throws {
    let directory = try TemporaryDirectory(prefix: "syncrules-imports")
    let count = Self.limit + 20
    for index in 0..<count {
      let body = index + 1 < count ? "import \"f\(index + 1)\"\n" : "skip names x\n"
      try body.write(
        to: directory.url.appendingPathComponent("f\(index).sync"), atomically: true,
        encoding: .utf8)
    }
    let rules = try RuleSet.load(
      RuleSet.Options(rulePaths: [directory.file("f0.sync")]))
    #expect(rules.diagnostics.map(\.code) == [.nestingTooDeep])
  }

  /// Runs `body` on a thread with a 2 MiB stack: a quarter of what every thread gets by
  /// default on Linux (main, Dispatch, Swift concurrency: 8 MiB), in a debug build, whose
  /// frames are several times larger than a release build's.
  static func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      box.value = body()
      done.signal()
    }
    thread.stackSize = 2 << 20
    thread.start()
    done.wait()
    return try #require(box.value)
  }
}

/// Carries a result from the thread that computed it to the one waiting for it.
private final class ResultBox<T>: @unchecked Sendable {
  var value: T?
}
