import SyncDriver
import SyncImport
import SyncProgram
import SyncRuntime
import SyncValue
import TestSupport
import Testing

/// A configuration translated by an importer, checked and compiled: what the semantic
/// tests run objects through.
struct Translated {
  let result: ImportResult
  let program: PatchProgram

  /// `text` written to a scratch file and translated by `importer`; fails the test when
  /// the translation does not compile.
  init(_ text: String, importer: (String) throws(ImportFailure) -> ImportResult) throws {
    let directory = try TemporaryDirectory(prefix: "import")
    let result = try importer(try directory.write("input.yaml", text))
    self.result = result
    self.program = try #require(RuleSet.load(text: result.text).program, "\(result.text)")
  }

  static func karmada(_ policies: String) throws -> Translated {
    try Translated(policies) { path throws(ImportFailure) in
      try KarmadaImporter().translate(paths: [path])
    }
  }

  static func velero(_ modifiers: String) throws -> Translated {
    try Translated(modifiers) { path throws(ImportFailure) in
      try VeleroImporter().translate(paths: [path])
    }
  }

  /// What the rules make of `object`; nil (and a recorded issue) unless they rewrite it.
  func rewrite(_ object: Value) -> Value? {
    guard case .rewritten(let rewritten, _) = Evaluator(program: program).evaluate(object) else {
      Issue.record("the object was not rewritten:\n\(result.text)")
      return nil
    }
    return rewritten
  }
}
