import SyncCheck
import SyncRuntime
import SyncSchema
import SyncSyntax
import SyncValue

/// The verdict on one case.
public struct RuleTestResult: Sendable {
  /// The test file.
  public var path: String
  public var name: String
  public var location: YAMLSourceMap.Location
  /// Empty when the case passed.
  public var failures: [RuleTestFailure]
  /// What happened to each input object (`-v`).
  public var trace: [String]

  public var passed: Bool { failures.isEmpty }
}

/// One way a case did not get what it expected.
public struct RuleTestFailure: Sendable, Hashable {
  /// One line: what differed.
  public var summary: String
  /// More lines: a unified diff, rendered diagnostics.
  public var detail: String?

  public init(_ summary: String, detail: String? = nil) {
    self.summary = summary
    self.detail = detail
  }
}

/// Runs test cases: loads (and caches) each case's rules, evaluates its inputs and
/// compares what came out with what the case expects.
public struct RuleTestRunner: Sendable {
  public var stdlib: any StdlibSource
  /// CRDs added to every case's own (`syncrules test --crd`).
  public var crdPaths: [String]

  public init(stdlib: any StdlibSource = EmbeddedStdlib(), crdPaths: [String] = []) {
    self.stdlib = stdlib
    self.crdPaths = crdPaths
  }

  /// Runs every case of `suite`, in order. Cases that name the same rules share one
  /// compiled rule set.
  public func run(_ suite: RuleTestSuite) -> [RuleTestResult] {
    var cache: [CacheKey: Result<RuleSet, RuleSet.InputError>] = [:]
    return suite.cases.map { testCase in
      let key = CacheKey(rules: testCase.rules, crdPaths: testCase.crdPaths)
      let loaded = cache[key] ?? load(testCase)
      cache[key] = loaded
      var result = RuleTestResult(
        path: suite.path, name: testCase.name, location: testCase.location, failures: [],
        trace: [])
      switch loaded {
      case .failure(let error):
        result.failures = [RuleTestFailure("cannot load the rules: \(error.description)")]
      case .success(let ruleSet):
        run(testCase, with: ruleSet, into: &result)
      }
      return result
    }
  }

  private struct CacheKey: Hashable {
    var rules: RuleTestRules
    var crdPaths: [String]
  }

  private func load(_ testCase: RuleTestCase) -> Result<RuleSet, RuleSet.InputError> {
    let crds = testCase.crdPaths + crdPaths
    switch testCase.rules {
    case .files(let paths):
      return Result { () throws(RuleSet.InputError) in
        try RuleSet.load(RuleSet.Options(rulePaths: paths, crdPaths: crds, stdlib: stdlib))
      }
    case .text(let text, let path):
      var registry = SchemaRegistry.builtIn
      if !crds.isEmpty {
        do {
          registry = try registry.adding(crdPaths: crds)
        } catch {
          return .failure(RuleSet.InputError(error))
        }
      }
      return .success(RuleSet.load(text: text, path: path, registry: registry, stdlib: stdlib))
    }
  }

  private func run(
    _ testCase: RuleTestCase, with ruleSet: RuleSet, into result: inout RuleTestResult
  ) {
    if case .diagnostics(let expected) = testCase.expectation {
      result.failures = compare(ruleSet, expected)
      return
    }
    guard let program = ruleSet.program else {
      let errors = ruleSet.diagnostics.filter { $0.severity == .error }
      result.failures = [
        RuleTestFailure(
          "the rules do not check: \(errors.count) error\(errors.count == 1 ? "" : "s")",
          detail: ruleSet.renderedDiagnostics())
      ]
      return
    }
    let evaluator = Evaluator(program: program)
    let outcomes = testCase.inputs.map { evaluator.evaluate($0.value) }
    result.trace = zip(testCase.inputs, outcomes).map { input, outcome in
      "\(input.identity): \(Self.describe(outcome))"
    }
    switch testCase.expectation {
    case .output(let expected):
      result.failures = compareOutput(testCase.inputs, outcomes, expected)
    case .outcomes(let expected):
      for (index, pair) in zip(testCase.inputs, zip(outcomes, expected)).enumerated() {
        if let failure = compare(pair.1.0, pair.1.1, input: pair.0, number: index + 1) {
          result.failures.append(failure)
        }
      }
    case .diagnostics:
      break
    }
  }

  // MARK: Output streams

  private func compareOutput(
    _ inputs: [RuleTestObject], _ outcomes: [Outcome], _ expected: [RuleTestObject]
  ) -> [RuleTestFailure] {
    var failures: [RuleTestFailure] = []
    var actual: [Value] = []
    for (input, outcome) in zip(inputs, outcomes) {
      switch outcome {
      case .rewritten(let object, _):
        actual.append(object)
      case .failed(let failure):
        failures.append(RuleTestFailure("\(input.identity) failed: \(failure.description)"))
      case .skipped, .unmatched, .dropped:
        continue
      }
    }
    let wanted = expected.map(\.value)
    let matches =
      actual.count == wanted.count && zip(actual, wanted).allSatisfy(ValueMatching.equal)
    if !matches {
      let aligned = ValueMatching.alignedStream(actual, to: wanted)
      let diff = RuleTestText.diff(expected: wanted, actual: aligned)
      var summary = "the output differs from the expected objects"
      if actual.count != wanted.count {
        summary +=
          " (expected \(wanted.count) object\(wanted.count == 1 ? "" : "s"), "
          + "got \(actual.count))"
      }
      failures.append(RuleTestFailure(summary, detail: diff))
    }
    return failures
  }

  // MARK: Per-object outcomes

  private func compare(
    _ outcome: Outcome, _ expected: RuleTestOutcome, input: RuleTestObject, number: Int
  ) -> RuleTestFailure? {
    let subject = "object \(number) (\(input.identity))"
    func wrong() -> RuleTestFailure {
      RuleTestFailure(
        "\(subject): expected \(expected.word), but it was \(Self.describe(outcome))")
    }
    switch (expected, outcome) {
    case (.skipped, .skipped), (.unmatched, .unmatched):
      return nil
    case (.dropped(let rule), .dropped(let actualRule, _)):
      guard let rule, rule != actualRule else { return nil }
      return RuleTestFailure("\(subject): expected a drop by rule `\(rule)`, not `\(actualRule)`")
    case (.failed(let code, let message), .failed(let failure)):
      if let code, code != failure.code {
        return RuleTestFailure(
          "\(subject): expected failure \(code.rawValue), got \(failure.description)")
      }
      if let message, !failure.message.contains(message) {
        return RuleTestFailure(
          "\(subject): the failure message does not contain \"\(message)\": "
            + failure.description)
      }
      return nil
    case (.rewritten(let check), .rewritten(let object, _)):
      return compare(object, check, subject: subject)
    default:
      return wrong()
    }
  }

  private func compare(_ object: Value, _ check: RuleTestOutcome.RewriteCheck, subject: String)
    -> RuleTestFailure?
  {
    var problems: [String] = []
    var diffs: [String] = []
    if let exact = check.exact, !ValueMatching.equal(object, exact) {
      problems.append("the rewritten object differs")
      diffs.append(
        RuleTestText.diff(
          expected: [exact], actual: [ValueMatching.aligned(object, to: exact)]))
    }
    if let includes = check.includes, !ValueMatching.includes(object, includes) {
      problems.append("the rewritten object lacks fields of `includes`")
      diffs.append(
        RuleTestText.diff(
          expected: [includes], actual: [ValueMatching.projected(object, onto: includes)],
          actualName: "actual (only the fields `includes` names)",
          title: RuleTestObject.identity(of: object)))
    }
    for pointer in check.absent {
      if let value = JSONPatch.value(at: pointer, in: object) {
        problems.append("`\(pointer)` should be absent but is \(RuleTestText.inline(value))")
      }
    }
    guard !problems.isEmpty else { return nil }
    return RuleTestFailure(
      "\(subject): " + problems.joined(separator: "; "),
      detail: diffs.isEmpty ? nil : diffs.joined())
  }

  // MARK: Diagnostics

  private func compare(_ ruleSet: RuleSet, _ expected: [RuleTestDiagnostic]) -> [RuleTestFailure] {
    var remaining = ruleSet.diagnostics.filter { $0.severity != .note }
    var failures: [RuleTestFailure] = []
    for wanted in expected {
      if let index = remaining.firstIndex(where: { matches($0, wanted, files: ruleSet.files) }) {
        remaining.remove(at: index)
      } else {
        failures.append(RuleTestFailure("expected diagnostic \(wanted.summary) was not reported"))
      }
    }
    for diagnostic in remaining {
      failures.append(
        RuleTestFailure("unexpected diagnostic \(Self.summary(diagnostic, files: ruleSet.files))"))
    }
    return failures
  }

  private func matches(_ diagnostic: Diagnostic, _ wanted: RuleTestDiagnostic, files: SourceManager)
    -> Bool
  {
    guard diagnostic.code == wanted.code else { return false }
    let file = files.file(diagnostic.range.fileID)
    if let suffix = wanted.file, !file.path.hasSuffix(suffix) { return false }
    if let location = wanted.location, file.location(of: diagnostic.range.start) != location {
      return false
    }
    if let message = wanted.message, !diagnostic.message.contains(message) { return false }
    return true
  }

  static func summary(_ diagnostic: Diagnostic, files: SourceManager) -> String {
    let file = files.file(diagnostic.range.fileID)
    let location = file.location(of: diagnostic.range.start)
    return "\(diagnostic.code.rawValue) at \(file.path):\(location): \(diagnostic.message)"
  }

  // MARK: Descriptions

  static func describe(_ outcome: Outcome) -> String {
    switch outcome {
    case .skipped(let skip): return "skipped (skip #\(skip + 1))"
    case .unmatched: return "unmatched (no rule matches it)"
    case .dropped(let rule, _): return "dropped by rule `\(rule)`"
    case .rewritten(_, let rules):
      return "rewritten by " + rules.map { "`\($0)`" }.joined(separator: ", ")
    case .failed(let failure): return "failed: \(failure.description)"
    }
  }
}
