import SyncRuntime
import SyncValue

extension DriftReport {
  /// The drift as data: `syncrules diff -o json|yaml`.
  ///
  /// Versioned by `apiVersion` (`syncrules.io/v1`, kind `DriftReport`); fields are only
  /// added within a version. Each object carries the unified diff the text form prints
  /// (Secret values masked unless `showingSecrets`). docs/machine-output.md describes it.
  public func document(showingSecrets: Bool = false) -> Value {
    let objects: [Value] = drift.map { entry in
      let (key, state): (ObjectKey, String) =
        switch entry {
        case .missing(let key, _): (key, "missing")
        case .different(let key, _, _): (key, "different")
        case .orphaned(let key, _): (key, "orphaned")
        }
      return [
        "object": .string("\(key)"), "group": .string(key.group), "kind": .string(key.kind),
        "namespace": .string(key.namespace), "name": .string(key.name), "state": .string(state),
        "diff": .string(DriftText.render([entry], showingSecrets: showingSecrets)),
      ]
    }
    let failures: [Value] = failures.map { source, failure in
      [
        "object": .string("\(source)"), "code": .string(failure.code.rawValue),
        "message": .string(failure.message), "rule": failure.rule.map { .string($0) } ?? .null,
        "location": failure.location.map { .string("\($0)") } ?? .null,
      ]
    }
    return [
      "apiVersion": "syncrules.io/v1",
      "kind": "DriftReport",
      "drifted": .int(Int64(drift.count)),
      "objects": .array(objects),
      "failures": .array(failures),
    ]
  }
}
