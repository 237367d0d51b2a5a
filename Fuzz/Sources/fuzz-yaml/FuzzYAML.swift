import FuzzSupport
import SyncRuntime
import SyncValue

/// Compiles the fixed rules before the first input, outside leak checking.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzerArguments) -> CInt {
  withoutLeakChecking { _ = fixedEvaluator }
  return 0
}

/// Bytes as a YAML stream: the reader from memory, from a string and from a file (also
/// after a prefix) reads the same documents and errors and always moves on; what the
/// YAML and JSON writers make of the documents reads back as the same values; and
/// `syncrules apply -o yaml` over the fixed rules writes YAML that reads back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = fuzzBytes(data, size)
  let fromBytes = readDocuments(YAMLStreamReader(bytes: bytes), bytes.count)
  let fromFile = withTemporaryFile(holding: bytes) { descriptor in
    readDocuments(YAMLStreamReader(fileDescriptor: descriptor), bytes.count)
  }
  requireSameAsFile(fromFile, fromBytes, "read from a file", bytes: bytes)
  let split = bytes.count / 2
  let prefixed = withTemporaryFile(holding: Array(bytes[split...])) { descriptor in
    readDocuments(
      YAMLStreamReader(fileDescriptor: descriptor, prefix: Array(bytes[..<split])), bytes.count)
  }
  requireSameAsFile(
    prefixed, fromBytes, "read after a prefix of \(split) bytes", bytes: bytes)
  if let text = String(validating: bytes, as: UTF8.self) {
    requireSame(
      readDocuments(YAMLStreamReader(string: text), bytes.count), fromBytes, "read from a string")
  }

  let documents = fromBytes.entries.compactMap { entry -> Value? in
    if case .document(let value) = entry { return value }
    return nil
  }
  for document in documents {
    requireJSONRoundTrip(document, "a YAML document")
    requireYAMLRoundTrip([document])
  }
  requireYAMLRoundTrip(documents)
  checkApply(bytes)
  return 0
}

/// What a reader returned, call by call, until the end or an error it cannot go on from.
struct Documents: Equatable {
  enum Entry: Equatable {
    case document(Value)
    case error(String)
  }
  var entries: [Entry] = []

  /// The same, with the `line N, column M: ` that starts each error message removed.
  var withoutPositions: Documents {
    Documents(
      entries: entries.map { entry in
        guard case .error(let message) = entry, let colon = message.firstRange(of: ": ")
        else { return entry }
        return .error(String(message[colon.upperBound...]))
      })
  }
}

func readDocuments(_ reader: YAMLStreamReader, _ byteCount: Int) -> Documents {
  var documents = Documents()
  while true {
    do {
      guard let document = try reader.nextDocument() else { return documents }
      documents.entries.append(.document(document))
    } catch {
      documents.entries.append(.error("\(error)"))
      if !reader.canContinue { return documents }
    }
    // Each document or error uses up at least one byte of the input.
    require(
      documents.entries.count <= byteCount + 1,
      "\(documents.entries.count) results from \(byteCount) bytes: the reader is stuck")
  }
}

func requireSame(_ actual: Documents, _ expected: Documents, _ how: String) {
  require(actual == expected, "\(how):\n  \(actual.entries)\nexpected\n  \(expected.entries)")
}

/// A file is read as the memory is, document for document and error for error, with the
/// same positions: both readers stop at the first byte YAML refuses, after every document
/// before it. UTF-16 input (a byte order mark) is decoded by libyaml itself, which gives
/// its encoding errors as byte offsets; only there are positions left out.
func requireSameAsFile(_ file: Documents, _ memory: Documents, _ how: String, bytes: [UInt8]) {
  let isUTF16 = bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE])
  if isUTF16 {
    requireSame(file.withoutPositions, memory.withoutPositions, how)
  } else {
    requireSame(file, memory, how)
  }
}

func requireYAMLRoundTrip(_ documents: [Value]) {
  let text = YAML.serializeAll(documents)
  do {
    let back = try YAML.parseAll(text)
    require(back == documents, "the writer's\n\(text)\nreads back as \(back)")
  } catch {
    require(false, "the writer's\n\(text)\ndoes not parse: \(error)")
  }
}

/// `apply -o yaml` writes only what reads back as YAML, whatever the input.
func checkApply(_ bytes: [UInt8]) {
  let sink = OutputSink.inMemory()
  let applier = StreamApplier(
    options: .init(inputFormat: .yaml, outputFormat: .yaml, flushEachObject: false),
    output: sink, evaluator: fixedEvaluator, problem: { _ in })
  do {
    try applier.apply(StreamInput(bytes: bytes, name: "<fuzz>"))
    try applier.finish()
  } catch {
    require(false, "an in-memory sink failed: \(error)")
  }
  let output = String(decoding: sink.takeBytes(), as: UTF8.self)
  do {
    _ = try YAML.parseAll(output)
  } catch {
    require(false, "apply wrote YAML that does not parse (\(error)):\n\(output)")
  }
}
