import FuzzSupport
import SyncRuntime
import SyncValue

/// Compiles the fixed rules before the first input, outside leak checking.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzerArguments) -> CInt {
  withoutLeakChecking { _ = fixedEvaluator }
  return 0
}

/// Bytes through every way of reading JSON, which must agree: the stream reader from
/// memory, from a file in small chunks and after a prefix; resumed after its first value
/// by a new reader and by a reusable one; `JSON.parse`; a `kind: List`-style walk member
/// by member; the watch-frame splitter; and `syncrules apply` over the fixed rules on one
/// thread and on two.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = fuzzBytes(data, size)
  // A small number that varies with the input, so that the cuts fall everywhere.
  let cut = 1 + Int(bytes.reduce(0) { $0 &+ UInt32($1) } % 16)
  let whole = readAll(JSONStreamReader(bytes: bytes), bytes.count)
  for value in whole.values {
    requireJSONRoundTrip(value, "a value read")
    // The reader returns an object with a key twice and notes it (apply refuses such
    // objects with E0705, so they never reach a writer); as YAML it would not read back.
    if !hasDuplicateKeys(value) { requireYAMLRoundTrip(value) }
  }
  checkSingleValue(bytes, whole)
  checkFileReads(bytes, whole, chunkSize: cut)
  checkResumed(bytes, whole)
  checkPiecewise(bytes, whole)
  checkFrameSplitter(bytes, whole, chunkSize: cut)
  checkApply(bytes, batchBytes: cut * cut)
  return 0
}

/// The top-level values a reader returned, where it stood after each, and the error that
/// stopped it.
struct Reading: Equatable {
  var values: [Value] = []
  var positions: [JSONPosition] = []
  var error: JSONError?

  /// What a reader that resumes after the first value must read.
  var afterFirst: Reading {
    Reading(
      values: Array(values.dropFirst()), positions: Array(positions.dropFirst()), error: error)
  }
}

func readAll(_ reader: JSONStreamReader, _ byteCount: Int) -> Reading {
  var reading = Reading()
  do {
    while let value = try reader.nextValue() {
      reading.values.append(value)
      reading.positions.append(reader.position)
      require(reading.values.count <= byteCount, "more values than bytes: the reader is stuck")
    }
  } catch {
    reading.error = error
  }
  return reading
}

func describe(_ reading: Reading) -> String {
  let values = reading.values.map { JSON.serialize($0) }.joined(separator: " ")
  return
    "[\(values)] at \(reading.positions.map(\.offset)), error: \(String(describing: reading.error))"
}

func requireSame(_ actual: Reading, _ expected: Reading, _ how: String) {
  require(actual == expected, "\(how):\n  \(describe(actual))\nexpected\n  \(describe(expected))")
}

/// `JSON.parse` accepts exactly the inputs that hold one value and nothing else.
func checkSingleValue(_ bytes: [UInt8], _ whole: Reading) {
  let single = whole.values.count == 1 && whole.error == nil
  do {
    let value = try JSON.parse(bytes)
    require(single && whole.values[0] == value, "JSON.parse read \(JSON.serialize(value))")
  } catch {
    require(!single, "JSON.parse failed (\(error)) on one value the reader read")
  }
}

/// From a file descriptor in small chunks, and after a prefix read elsewhere.
func checkFileReads(_ bytes: [UInt8], _ whole: Reading, chunkSize: Int) {
  let chunked = withTemporaryFile(holding: bytes) { descriptor in
    readAll(JSONStreamReader(fileDescriptor: descriptor, chunkSize: chunkSize), bytes.count)
  }
  requireSame(chunked, whole, "read in chunks of \(chunkSize) bytes")
  let split = min(bytes.count, 2 * chunkSize)
  let prefixed = withTemporaryFile(holding: Array(bytes[split...])) { descriptor in
    readAll(
      JSONStreamReader(
        fileDescriptor: descriptor, prefix: Array(bytes[..<split]), chunkSize: chunkSize),
      bytes.count)
  }
  requireSame(prefixed, whole, "read after a prefix of \(split) bytes")
}

/// A new reader over the rest of the input, and a reusable reader loaded twice.
func checkResumed(_ bytes: [UInt8], _ whole: Reading) {
  let reusable = JSONStreamReader(reusable: .init())
  bytes.withUnsafeBufferPointer { buffer in
    reusable.load(buffer, at: .start)
    requireSame(readAll(reusable, bytes.count), whole, "a reusable reader")
  }
  guard let position = whole.positions.first else { return }
  let rest = Array(bytes[position.offset...])
  let resumed = readAll(JSONStreamReader(bytes: rest, resumingAt: position), bytes.count)
  requireSame(resumed, whole.afterFirst, "resumed at \(position)")
  rest.withUnsafeBufferPointer { buffer in
    reusable.load(buffer, at: position)
    requireSame(readAll(reusable, bytes.count), whole.afterFirst, "reloaded at \(position)")
  }
}

/// The first value walked the way `apply` walks a `kind: List`: member by member, the
/// `items` element by element, `status` skipped and `metadata` left unread (the next key
/// skips it); then the reader goes on with the next top-level value.
func checkPiecewise(_ bytes: [UInt8], _ whole: Reading) {
  guard case .object(let first)? = whole.values.first else { return }
  let expected = Value.object(
    ObjectValue(members: first.members.filter { $0.key != "status" && $0.key != "metadata" }))
  let reader = JSONStreamReader(bytes: bytes)
  let walked: Value
  do {
    walked = try walk(reader)
  } catch {
    require(false, "the walk failed (\(error)) on \(JSON.serialize(.object(first)))")
    return
  }
  require(walked == expected, "the walk read \(JSON.serialize(walked))")
  do {
    let next = try reader.nextValue()
    require(next == whole.values.dropFirst().first, "after the walk: \(String(describing: next))")
    if next == nil {
      require(whole.values.count == 1 && whole.error == nil, "the walk ended early")
    }
  } catch {
    require(
      whole.values.count == 1 && whole.error == error,
      "after the walk: \(error), expected \(describe(whole))")
  }
}

private func walk(_ reader: JSONStreamReader) throws(JSONError) -> Value {
  require(try reader.peekToken() == .beginObject, "the first value is an object")
  try reader.beginObject()
  var members: [Member] = []
  while let key = try reader.nextKey() {
    switch key {
    case "items" where try reader.peekToken() == .beginArray:
      try reader.beginArray()
      var items: [Value] = []
      while try reader.nextElement() { items.append(try reader.readValue()) }
      members.append(Member(key: key, value: .array(items)))
    case "status": try reader.skipValue()
    case "metadata": continue
    default: members.append(Member(key: key, value: try reader.readValue()))
    }
  }
  return .object(ObjectValue(members: members))
}

/// The splitter of watch bodies finds the same values when they are all maps, lists or
/// strings (it ends a bare `1` or `true` at a separator, where the reader may not).
func checkFrameSplitter(_ bytes: [UInt8], _ whole: Reading, chunkSize: Int) {
  guard whole.error == nil, !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return }
  for value in whole.values {
    switch value {
    case .object, .array, .string: continue
    default: return
    }
  }
  var splitter = JSONFrameSplitter()
  var values: [Value] = []
  do {
    for start in stride(from: 0, to: bytes.count, by: chunkSize) {
      splitter.append(bytes[start..<min(start + chunkSize, bytes.count)])
      while let value = try splitter.nextValue() { values.append(value) }
    }
    require(try splitter.finish() == nil, "the splitter found a trailing scalar")
  } catch {
    require(false, "the splitter failed: \(error); the reader read \(describe(whole))")
  }
  require(values == whole.values, "the splitter found \(values.map { JSON.serialize($0) })")
}

/// `apply` over the fixed rules from a file, on one thread and on two threads in small
/// batches, and with every object read whole (no projection): the output, messages and
/// report are the same. (All read a file: YAML read from memory places encoding errors
/// elsewhere, which the yaml fuzzer covers.)
func checkApply(_ bytes: [UInt8], batchBytes: Int) {
  let mode = bytes.count % 3
  var options = StreamApplier.Options(
    passthrough: mode == 1, diff: mode == 2, flushEachObject: false)
  let sequential = withTemporaryFile(holding: bytes) { descriptor in
    runApply(StreamInput(fileDescriptor: descriptor, name: "<fuzz>"), options)
  }
  var whole = options
  whole.projects = false
  let unprojected = withTemporaryFile(holding: bytes) { descriptor in
    runApply(StreamInput(fileDescriptor: descriptor, name: "<fuzz>"), whole)
  }
  require(
    unprojected == sequential,
    "with every object read whole:\n\(unprojected)\nwith the reader's projection:\n\(sequential)")
  options.jobs = 2
  options.batchBytes = batchBytes
  let parallel = withTemporaryFile(holding: bytes) { descriptor in
    runApply(StreamInput(fileDescriptor: descriptor, name: "<fuzz>"), options)
  }
  // Malformed input stops the output where it was, maybe inside a List: only whole
  // inputs make whole output.
  if !options.diff && sequential.malformedInputs == 0 { requireReadable(sequential.output) }
  require(
    parallel == sequential,
    "on two threads in batches of \(batchBytes):\n\(parallel)\non one thread:\n\(sequential)")
}

struct ApplyRun: Equatable, CustomStringConvertible {
  var output: String
  var problems: String
  var report: ApplyReport
  var hasFailures: Bool
  var malformedInputs: Int

  var description: String {
    "output:\n\(output)\nproblems:\n\(problems)\nreport:\n\(report.renderText())"
  }
}

func runApply(_ input: StreamInput, _ options: StreamApplier.Options) -> ApplyRun {
  let sink = OutputSink.inMemory()
  var problems = ""
  let applier = StreamApplier(
    options: options, output: sink, evaluator: fixedEvaluator, problem: { problems += $0 })
  do {
    try applier.apply(input)
    try applier.finish()
  } catch {
    require(false, "an in-memory sink failed: \(error)")
  }
  return ApplyRun(
    output: String(decoding: sink.takeBytes(), as: UTF8.self), problems: problems,
    report: applier.report, hasFailures: applier.hasFailures,
    malformedInputs: applier.malformedInputCount)
}

/// `apply -o yaml` writes a value as YAML that reads back as the value.
func requireYAMLRoundTrip(_ value: Value) {
  let text = YAML.serialize(value)
  do {
    let back = try YAML.parse(text)
    require(back == value, "YAML \(text) reads back as \(JSON.serialize(back))")
  } catch {
    require(false, "YAML \(text) for \(JSON.serialize(value)) does not parse: \(error)")
  }
}

/// What `apply` wrote reads back in the format it chose.
func requireReadable(_ output: String) {
  let bytes = Array(output.utf8)
  switch DetectedFormat.detect(bytes).format {
  case .json:
    let reading = readAll(JSONStreamReader(bytes: bytes), bytes.count)
    require(reading.error == nil, "apply wrote JSON that does not read back:\n\(output)")
  case .yaml:
    do {
      _ = try YAML.parseAll(output)
    } catch {
      require(false, "apply wrote YAML that does not read back (\(error)):\n\(output)")
    }
  }
}

func hasDuplicateKeys(_ value: Value) -> Bool {
  switch value {
  case .object(let object):
    return Set(object.keys).count != object.count
      || object.members.contains {
        hasDuplicateKeys($0.value)
      }
  case .array(let items): return items.contains(where: hasDuplicateKeys)
  default: return false
  }
}
