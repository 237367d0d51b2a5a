import FuzzSupport
import SyncRuntime
import SyncValue

/// Compiles the fixed rules before the first input, outside leak checking.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzerArguments) -> CInt {
  withoutLeakChecking { _ = fixedEvaluator }
  return 0
}

/// A JSON object (and, for a `kind: List`, each of its items) through the fixed rules of
/// ``fixedRulesText``: evaluation never traps, gives the same outcome twice, keeps the
/// identity of every rewritten object (the rules name no identity field), leaves it a
/// name, and writes JSON that reads back as the same object.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvaluator(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let input = try? JSON.parse(fuzzBytes(data, size)) else { return 0 }
  var objects = [input]
  if case .array(let items)? = input["items"] { objects += items }
  for object in objects { checkEvaluation(of: object) }
  return 0
}

private func checkEvaluation(of object: Value) {
  let (outcome, dependencies) = fixedEvaluator.evaluateFollowingDependencies(object)
  let first = summary(outcome)
  let second = summary(fixedEvaluator.evaluate(object))
  require(first == second, "two evaluations differ:\n\(first)\n\(second)")
  guard case .rewritten(let result, let rules) = outcome else {
    require(dependencies.isEmpty, "dependencies of an object that was not rewritten")
    return
  }
  require(!rules.isEmpty, "rewritten by no rule")
  for path in identityPaths {
    require(
      lookup(path, in: result) == lookup(path, in: object),
      "`\(path.joined(separator: "."))` changed: \(first)")
  }
  guard case .string(let name)? = lookup(["metadata", "name"], in: result), !name.isEmpty else {
    require(false, "a rewritten object without a name: \(first)")
    return
  }
  requireJSONRoundTrip(result, "the rewritten object")
}
