import Foundation
import FuzzSupport
import SyncValue

/// Makes the fixed inputs before the first input, outside leak checking.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzerArguments) -> CInt {
  withoutLeakChecking {
    _ = fixedDocument
  }
  return 0
}

/// A JSON Patch document (RFC 6902), and after a NUL byte the JSON document it applies to
/// (a fixed Deployment without one): a patch that fails leaves the document untouched;
/// one that succeeds gives what its operations give one at a time, leaves what it added
/// where it said, and writes JSON that reads back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let (patchBytes, documentBytes) = splitAtNUL(fuzzBytes(data, size))
  guard let patchDocument = try? JSON.parse(patchBytes),
    let patch = try? JSONPatch(patchDocument)
  else { return 0 }
  let document: Value
  if let documentBytes {
    guard let parsed = try? JSON.parse(documentBytes) else { return 0 }
    document = parsed
  } else {
    document = fixedDocument
  }

  var patched = document
  var stepwise = document
  var failedStep: Int?
  for (index, operation) in patch.operations.enumerated() {
    do {
      try JSONPatch(operations: [operation]).apply(to: &stepwise)
      requireAddedValue(operation, in: stepwise)
    } catch {
      failedStep = index
      break
    }
  }
  do {
    try patch.apply(to: &patched)
    require(failedStep == nil, "the patch applied but operation \(failedStep ?? -1) alone fails")
    require(patched == stepwise, "the patch and its operations one by one differ")
    requireJSONRoundTrip(patched, "the patched document")
  } catch {
    require(patched == document, "a failed patch changed the document: \(error)")
    require(
      failedStep == error.operation,
      "the patch failed at \(error.operation), its operations one by one at \(failedStep ?? -1)")
  }
  return 0
}

/// After `add`, `replace` or `copy` succeeded, its target holds the value (an `add` at
/// `-` appends, which lands at the end).
private func requireAddedValue(_ operation: JSONPatch.Operation, in document: Value) {
  let target: JSONPointer
  let expected: Value?
  switch operation {
  case .add(let path, let value), .replace(let path, let value):
    (target, expected) = (path, value)
  default: return
  }
  if target.tokens.last == "-" {
    let parent = JSONPatch.value(at: try! JSONPointer(parentPointer(target)), in: document)
    if case .array(let items)? = parent {
      require(items.last == expected, "`add` at \(target) did not append")
    }
    return
  }
  require(
    JSONPatch.value(at: target, in: document) == expected, "\(target) does not hold its value")
}

/// The text of the pointer to `pointer`'s parent.
private func parentPointer(_ pointer: JSONPointer) -> String {
  pointer.tokens.dropLast().map {
    "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
  }.joined()
}

private let fixedDocument: Value = {
  let text = #"""
    {"apiVersion":"apps/v1","kind":"Deployment",
     "metadata":{"name":"web","namespace":"shop","labels":{"app":"web"},
       "annotations":{"a/b":"1","c~d":"2"}},
     "spec":{"replicas":3,"template":{"metadata":{},"spec":{
       "containers":[{"name":"app","image":"web:1","args":["-v"]}],
       "tolerations":[]}}},
     "list":[0,1,2,[3,[4]],{"k":null}],"": {"": ""}}
    """#
  guard let value = try? JSON.parse(text) else { fatalError("the fixed document does not parse") }
  return value
}()
