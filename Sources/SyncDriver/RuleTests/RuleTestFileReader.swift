import Foundation
import SyncRuntime
import SyncSchema
import SyncSyntax
import SyncValue

/// Turns the text of a `*.test.yaml` file into a ``RuleTestSuite``, rejecting anything
/// that is not in the format with the line and column of the offending key or value.
///
/// Unknown keys are errors, not ignored: a misspelt `expect` would otherwise turn a
/// case into one that checks nothing and always passes.
struct RuleTestFileReader {
  let text: String
  let path: String
  let directory: String
  let map: YAMLSourceMap

  init(text: String, path: String) {
    self.text = text
    self.path = path
    let parent = (path as NSString).deletingLastPathComponent
    self.directory = parent.isEmpty ? "." : parent
    self.map = YAMLSourceMap(text: text)
  }

  static let suiteKeys = ["rules", "source", "crds", "input", "cases"]
  static let caseKeys = [
    "name", "rules", "source", "crds", "input", "output", "expect", "diagnostics",
  ]
  static let outcomeWords = ["skipped", "unmatched", "dropped", "rewritten", "failed"]

  func read() throws(RuleTestFileError) -> RuleTestSuite {
    let root: Value
    do {
      root = try YAML.parse(text)
    } catch let error as YAMLError {
      throw RuleTestFileError(
        path: path, line: error.line, column: error.column, message: error.message)
    } catch {
      throw RuleTestFileError(path: path, line: 1, column: 1, message: "\(error)")
    }
    let suite = Node(value: root, path: [])
    let members = try object(suite, keys: Self.suiteKeys, what: "a test file")
    let defaults = Defaults(
      rules: try members["rules"].map { node throws(RuleTestFileError) in try paths(node) },
      source: try members["source"].map { node throws(RuleTestFileError) in
        try sourceText(node)
      },
      crds: try members["crds"].map { node throws(RuleTestFileError) in try paths(node) } ?? [],
      input: try members["input"].map { node throws(RuleTestFileError) in try objects(node) })
    guard let casesNode = members["cases"] else {
      throw error(at: suite, "a test file needs `cases:`, a list of test cases")
    }
    let items = try list(casesNode, what: "`cases`")
    guard !items.isEmpty else { throw error(at: casesNode, "`cases` is empty: nothing to test") }
    var cases: [RuleTestCase] = []
    for (index, item) in items.enumerated() {
      cases.append(try testCase(item, number: index + 1, defaults: defaults))
    }
    return RuleTestSuite(path: path, cases: cases)
  }

  /// What the top level supplies to cases that do not say otherwise.
  struct Defaults {
    var rules: [String]?
    var source: (text: String, line: Int)?
    var crds: [String]
    var input: [RuleTestObject]?
  }

  // MARK: Cases

  private func testCase(_ node: Node, number: Int, defaults: Defaults) throws(RuleTestFileError)
    -> RuleTestCase
  {
    let members = try object(node, keys: Self.caseKeys, what: "a test case")
    let name = try members["name"].map { node throws(RuleTestFileError) in try string(node) }
    let label = name ?? "case \(number)"

    let rules: RuleTestRules
    if members["rules"] != nil, members["source"] != nil {
      throw error(at: members["source"]!, key: true, "a case takes `rules` or `source`, not both")
    }
    if let node = members["rules"] {
      rules = .files(try paths(node))
    } else if let node = members["source"] {
      let source = try sourceText(node)
      rules = .text(source.text, path: sourcePath(line: source.line))
    } else if let files = defaults.rules {
      rules = .files(files)
    } else if let source = defaults.source {
      rules = .text(source.text, path: sourcePath(line: source.line))
    } else {
      throw error(
        at: node, "case `\(label)` has no rules: add `rules:` or `source:` here or at the top")
    }
    let crds = try members["crds"].map { node throws(RuleTestFileError) in try paths(node) }

    let expectationKeys = ["output", "expect", "diagnostics"].filter { members[$0] != nil }
    guard expectationKeys.count == 1 else {
      let message =
        expectationKeys.isEmpty
        ? "case `\(label)` checks nothing: add `output:`, `expect:` or `diagnostics:`"
        : "a case takes one of `output`, `expect` and `diagnostics`, not "
          + expectationKeys.map { "`\($0)`" }.joined(separator: " and ")
      throw error(
        at: expectationKeys.count > 1 ? members[expectationKeys[1]]! : node, key: true, message)
    }

    let expectation: RuleTestExpectation
    var inputs: [RuleTestObject] = []
    if let node = members["diagnostics"] {
      if let input = members["input"] {
        throw error(at: input, key: true, "a `diagnostics` case runs no objects; remove `input`")
      }
      expectation = .diagnostics(try list(node, what: "`diagnostics`").map(diagnostic))
    } else {
      if let node = members["input"] {
        inputs = try objects(node)
      } else if let input = defaults.input {
        inputs = input
      } else {
        throw error(at: node, "case `\(label)` has no `input:` (here or at the top)")
      }
      if inputs.isEmpty {
        throw error(at: members["input"] ?? node, "the input holds no objects")
      }
      if let node = members["output"] {
        expectation = .output(try objects(node))
      } else {
        expectation = .outcomes(try outcomes(members["expect"]!, inputCount: inputs.count))
      }
    }
    return RuleTestCase(
      name: label, location: map.location(of: node.path), rules: rules,
      crdPaths: crds ?? defaults.crds, inputs: inputs, expectation: expectation)
  }

  /// Inline rules are named after the test file and line so that diagnostics point
  /// somewhere findable, and so that relative imports resolve next to the test file.
  private func sourcePath(line: Int) -> String {
    "\(path)@source:\(line)"
  }

  // MARK: Expectations

  private func outcomes(_ node: Node, inputCount: Int) throws(RuleTestFileError)
    -> [RuleTestOutcome]
  {
    guard case .array = node.value else {
      // One entry for the whole input: "every object is skipped".
      let outcome = try self.outcome(node)
      return Array(repeating: outcome, count: inputCount)
    }
    let items = try list(node, what: "`expect`")
    guard items.count == inputCount else {
      throw error(
        at: node,
        "`expect` has \(items.count) entr\(items.count == 1 ? "y" : "ies") but the input has "
          + "\(inputCount) object\(inputCount == 1 ? "" : "s"); give one per object, in order, "
          + "or a single entry (not a list) for all of them")
    }
    var result: [RuleTestOutcome] = []
    for item in items { result.append(try outcome(item)) }
    return result
  }

  private func outcome(_ node: Node) throws(RuleTestFileError) -> RuleTestOutcome {
    if case .string(let word) = node.value {
      switch word {
      case "skipped": return .skipped
      case "unmatched": return .unmatched
      case "dropped": return .dropped(rule: nil)
      case "rewritten": return .rewritten(RuleTestOutcome.RewriteCheck())
      case "failed": return .failed(code: nil, message: nil)
      default:
        throw error(
          at: node,
          "unknown outcome `\(word)`; expected "
            + Self.outcomeWords.map { "`\($0)`" }.joined(separator: ", "))
      }
    }
    let keys = ["skipped", "unmatched", "dropped", "rewritten", "includes", "absent", "failed"]
    let members = try object(node, keys: keys, what: "an expected outcome")
    let kinds = members.keys.filter { $0 != "includes" && $0 != "absent" && $0 != "rewritten" }
    let rewriteKeys = members.keys.filter { ["includes", "absent", "rewritten"].contains($0) }
    if kinds.count + (rewriteKeys.isEmpty ? 0 : 1) != 1 {
      throw error(
        at: node,
        "an expected outcome says one thing: `skipped`, `unmatched`, "
          + "`dropped`, `failed`, or `rewritten`/`includes`/`absent` for a rewritten object")
    }
    if members["skipped"] != nil { return .skipped }
    if members["unmatched"] != nil { return .unmatched }
    if let node = members["dropped"] {
      if case .null = node.value { return .dropped(rule: nil) }
      return .dropped(rule: try string(node))
    }
    if let node = members["failed"] { return try failure(node) }
    var check = RuleTestOutcome.RewriteCheck()
    if let node = members["rewritten"] {
      if case .null = node.value {
      } else {
        let objects = try self.objects(node)
        guard objects.count == 1 else {
          throw error(at: node, "`rewritten` takes one object (inline or a file holding one)")
        }
        check.exact = objects[0].value
      }
    }
    if let node = members["includes"] {
      guard case .object = node.value else {
        throw error(at: node, "`includes` takes a map: the fields the object must have")
      }
      check.includes = node.value
    }
    if let node = members["absent"] {
      for item in try list(node, what: "`absent`") {
        let text = try string(item)
        do {
          let pointer = try JSONPointer(text)
          guard !pointer.tokens.isEmpty else {
            throw error(
              at: item, "`absent` takes JSON pointers below the root, like `/spec/volumeName`")
          }
          check.absent.append(pointer)
        } catch let failure as JSONPointer.SyntaxError {
          throw error(at: item, "`\(text)` is not a JSON pointer: \(failure.description)")
        } catch let failure as RuleTestFileError {
          throw failure
        } catch {
          throw self.error(at: item, "\(error)")
        }
      }
    }
    return .rewritten(check)
  }

  private func failure(_ node: Node) throws(RuleTestFileError) -> RuleTestOutcome {
    switch node.value {
    case .null:
      return .failed(code: nil, message: nil)
    case .string:
      return .failed(code: try failureCode(node), message: nil)
    default:
      let members = try object(node, keys: ["code", "message"], what: "`failed`")
      return .failed(
        code: try members["code"].map { node throws(RuleTestFileError) in try failureCode(node) },
        message: try members["message"].map { node throws(RuleTestFileError) in try string(node) })
    }
  }

  private func diagnostic(_ node: Node) throws(RuleTestFileError) -> RuleTestDiagnostic {
    let members = try object(node, keys: ["code", "at", "message", "file"], what: "a diagnostic")
    guard let codeNode = members["code"] else {
      throw error(at: node, "an expected diagnostic needs `code:` (like E0401)")
    }
    var expected = RuleTestDiagnostic(code: try code(codeNode))
    if let at = members["at"] {
      let text = at.value.stringValue ?? ""
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let line = Int(parts[0]), let column = Int(parts[1]), line > 0,
        column > 0
      else {
        throw error(at: at, "`at` is LINE:COLUMN, like \"4:9\"")
      }
      expected.location = SourceLocation(line: line, column: column)
    }
    expected.message = try members["message"].map { node throws(RuleTestFileError) in
      try string(node)
    }
    expected.file = try members["file"].map { node throws(RuleTestFileError) in try string(node) }
    return expected
  }

  /// A code `check` reports about the rule file.
  private func code(_ node: Node) throws(RuleTestFileError) -> DiagnosticCode {
    let text = try string(node)
    guard let code = DiagnosticCode(rawValue: text) else {
      if RuntimeErrorCode(rawValue: text) != nil {
        throw error(
          at: node,
          "`\(text)` is an object's run-time error; expect it under `failed:`, not `diagnostics:`")
      }
      throw error(at: node, "unknown diagnostic code `\(text)`")
    }
    return code
  }

  /// A code an object fails with while the rules run.
  private func failureCode(_ node: Node) throws(RuleTestFileError) -> RuntimeErrorCode {
    let text = try string(node)
    guard let code = RuntimeErrorCode(rawValue: text) else {
      if DiagnosticCode(rawValue: text) != nil {
        throw error(
          at: node,
          "`\(text)` is a finding of `check`, which an object cannot fail with; expect it under `diagnostics:`"
        )
      }
      throw error(at: node, "unknown run-time error code `\(text)`")
    }
    return code
  }

  // MARK: Values

  /// Objects written inline (a map, or a list of maps) or in files (a path, or paths
  /// mixed into the list).
  private func objects(_ node: Node) throws(RuleTestFileError) -> [RuleTestObject] {
    let items: [Node]
    if case .array = node.value {
      items = try list(node, what: "a list of objects")
    } else {
      items = [node]
    }
    var result: [RuleTestObject] = []
    for item in items {
      switch item.value {
      case .string(let relative):
        let file = resolve(relative)
        guard FileManager.default.fileExists(atPath: file) else {
          throw error(at: item, "no such file `\(file)`")
        }
        result += try ObjectDocuments.read(path: file)
      case .object:
        let location = map.location(of: item.path)
        result += ObjectDocuments.flatten(item.value, origin: "\(path):\(location)")
      default:
        throw error(
          at: item, "expected an object (a map) or a file path, found \(item.value.typeName)")
      }
    }
    return result
  }

  /// One path or a list of paths, resolved against the test file's directory; each
  /// must exist.
  private func paths(_ node: Node) throws(RuleTestFileError) -> [String] {
    let items: [Node] =
      (node.value.arrayValue != nil) ? try list(node, what: "a list of paths") : [node]
    var result: [String] = []
    for item in items {
      let file = resolve(try string(item))
      guard FileManager.default.fileExists(atPath: file) else {
        throw error(at: item, "no such file or directory `\(file)`")
      }
      result.append(file)
    }
    return result
  }

  private func sourceText(_ node: Node) throws(RuleTestFileError) -> (text: String, line: Int) {
    (try string(node), map.location(of: node.path).line)
  }

  private func resolve(_ relative: String) -> String {
    relative.hasPrefix("/") ? relative : directory + "/" + relative
  }

  // MARK: Shapes

  /// A value and where it sits in the document.
  struct Node {
    var value: Value
    var path: [String]
  }

  private func object(_ node: Node, keys: [String], what: String) throws(RuleTestFileError)
    -> [String: Node]
  {
    guard case .object(let object) = node.value else {
      throw error(at: node, "expected \(what) (a map), found \(node.value.typeName)")
    }
    var members: [String: Node] = [:]
    for member in object.members {
      let child = Node(value: member.value, path: node.path + [member.key])
      guard keys.contains(member.key) else {
        var message =
          "unknown key `\(member.key)` in \(what); expected "
          + keys.map { "`\($0)`" }.joined(separator: ", ")
        if let near = closestMatch(to: member.key, in: keys) {
          message += " (did you mean `\(near)`?)"
        }
        throw error(at: child, key: true, message)
      }
      members[member.key] = child
    }
    return members
  }

  private func list(_ node: Node, what: String) throws(RuleTestFileError) -> [Node] {
    guard case .array(let items) = node.value else {
      throw error(at: node, "expected \(what) (a list), found \(node.value.typeName)")
    }
    return items.enumerated().map { Node(value: $1, path: node.path + [String($0)]) }
  }

  private func string(_ node: Node) throws(RuleTestFileError) -> String {
    guard case .string(let text) = node.value else {
      throw error(at: node, "expected a string, found \(node.value.typeName)")
    }
    return text
  }

  private func error(at node: Node, key: Bool = false, _ message: String) -> RuleTestFileError {
    let location = key ? map.keyLocation(of: node.path) : map.location(of: node.path)
    return RuleTestFileError(
      path: path, line: location.line, column: location.column, message: message)
  }
}
