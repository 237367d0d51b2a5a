import CFuzzHooks
import SyncValue

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, copied.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  guard let data, size > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run with `message` when an invariant does not hold: libFuzzer sees the trap
/// and saves the input as a crash.
public func require(
  _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file,
  line: UInt = #line
) {
  if !condition { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// Cuts an input at its first NUL byte: for targets that take two documents (a patch and
/// the document it applies to; two kubeconfig files). Without a NUL the second is nil.
public func splitAtNUL(_ bytes: [UInt8]) -> (first: [UInt8], second: [UInt8]?) {
  guard let cut = bytes.firstIndex(of: 0) else { return (bytes, nil) }
  return (Array(bytes[..<cut]), Array(bytes[(cut + 1)...]))
}

/// JSON text that reads back as the value: the round trip every writer must keep.
public func requireJSONRoundTrip(_ value: Value, _ what: @autoclosure () -> String) {
  for indent in [nil, 4] as [Int?] {
    let text = JSON.serialize(value, indent: indent)
    do {
      let back = try JSON.parse(text)
      require(back == value, "\(what()): \(text) reads back as \(JSON.serialize(back))")
    } catch {
      require(false, "\(what()): the writer's \(text) does not parse: \(error)")
    }
  }
}

/// Runs `body` with leak checking off: for the values a fuzzer makes once and keeps for
/// the whole run (compiled rules, sample objects), which LeakSanitizer would otherwise
/// report, because Swift keeps class references in enum payloads with tag bits set where
/// it does not recognise them as pointers.
public func withoutLeakChecking<Result>(_ body: () -> Result) -> Result {
  __lsan_disable()
  defer { __lsan_enable() }
  return body()
}

/// The `argv` of `LLVMFuzzerInitialize(int *argc, char ***argv)`.
public typealias FuzzerArguments = UnsafeMutablePointer<
  UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
>?
