import SyncRuntime
import SyncValue

/// An outcome as text, for comparing two runs (``Outcome`` is not `Equatable`).
public func summary(_ outcome: Outcome) -> String {
  switch outcome {
  case .skipped(let skip): return "skipped by \(skip)"
  case .unmatched: return "unmatched"
  case .dropped(let rule, let location): return "dropped by \(rule) at \(location)"
  case .rewritten(let value, let rules):
    return "rewritten by \(rules) to \(JSON.serialize(value))"
  case .failed(let failure): return "failed: \(failure)"
  }
}

/// The fields that say which object this is; rules that do not name them keep them.
public let identityPaths: [[String]] = [
  ["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"],
]

/// The value at a path of map keys, nil where it is absent.
public func lookup(_ path: [String], in value: Value) -> Value? {
  var current: Value? = value
  for key in path { current = current?[key] }
  return current
}
