import SyncSyntax
import SyncValue

/// The frame types `kubectl get -w --output-watch-events` prints.
private let watchEventTypes: Set<String> = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]

extension StreamApplier {
  // MARK: - JSON

  /// Reads top-level JSON values until the input ends.
  ///
  /// Malformed text is reported with its line and column; then reading goes on at the
  /// next line that starts with `{` or `[`, so that in a stream of one value per line
  /// (NDJSON, watch frames) one bad line loses nothing else.
  func applyJSON(_ reader: JSONStreamReader) throws(OutputSinkError) -> Bool {
    var clean = true
    while true {
      do {
        switch try reader.peekToken() {
        case .endOfInput:
          return clean
        case .beginObject:
          try readObject(reader)
        case .beginArray:
          try readArray(reader)
        default:
          // A scalar at top level: the evaluator reports it as not an object (E0704).
          try process(try reader.readValue(), at: .document)
        }
      } catch let error as JSONError {
        try stop(.malformedJSON, line: error.line, column: error.column, error.message)
        clean = false
        do {
          guard try reader.skipToNextValueLine() else { return false }
        } catch {
          // Reading itself failed: nothing more can come from this input.
          return false
        }
      } catch let error as OutputSinkError {
        throw error
      } catch {
        preconditionFailure("unexpected error \(error)")
      }
    }
  }

  /// Reads a top-level object member by member, so that the items of a List stream
  /// through one at a time; any other object is read whole and processed.
  private func readObject(_ reader: JSONStreamReader) throws {
    try reader.beginObject()
    var head: [Member] = []
    // Objects have a handful of top-level members: one allocation instead of regrowing.
    head.reserveCapacity(8)
    var tail: [Member] = []
    var isList = false
    while let key = try reader.nextKey() {
      if !isList, key == "items", Self.mayBeListHead(head), try reader.peekToken() == .beginArray {
        isList = true
        // A key twice in the envelope before `items` (or inside its metadata).
        if let duplicate = reader.takeDuplicateKey() { try refuseEnvelopeMember(duplicate) }
        if !options.diff { try emitter?.beginList(head: head) }
        try reader.beginArray()
        while try reader.nextElement() {
          let item = try reader.readValue()
          try process(item, at: .item, duplicate: reader.takeDuplicateKey())
        }
        continue
      }
      let member = Member(key: key, value: try reader.readValue())
      if isList {
        if let duplicate = reader.takeDuplicateKey() {
          // A second `items` (say) in the envelope: which one counts is a guess, so the
          // copy is left out of the output, and the run fails.
          try refuseEnvelopeMember(duplicate)
          continue
        }
        tail.append(member)
      } else {
        head.append(member)
      }
    }
    if isList {
      if !options.diff { try emitter?.endList(tail: tail) }
      if flushesEachObject { try emitter?.flush() }
    } else {
      try processTopLevel(.object(ObjectValue(members: head)), duplicate: reader.takeDuplicateKey())
    }
  }

  private func refuseEnvelopeMember(_ duplicate: JSONDuplicateKey) throws(OutputSinkError) {
    malformedInputCount += 1
    try emitter?.flush()
    problem(
      "error[\(DiagnosticCode.duplicateKey.rawValue)]: \(inputName):\(duplicate.second.line):"
        + "\(duplicate.second.column): in the List's envelope: \(duplicate)\n")
  }

  /// kubectl prints a List's keys sorted (`apiVersion`, `items`, `kind`, `metadata`), so
  /// `kind` usually comes after `items`: an `items` array counts as a List unless a kind
  /// that does not end in `List` came first.
  static func mayBeListHead(_ head: [Member]) -> Bool {
    guard let kind = head.first(where: { $0.key == "kind" }) else { return true }
    return kind.value.stringValue?.hasSuffix("List") ?? false
  }

  /// A top-level array is a list of objects without an envelope.
  private func readArray(_ reader: JSONStreamReader) throws {
    try reader.beginArray()
    if !options.diff { try emitter?.beginList(head: nil) }
    while try reader.nextElement() {
      let item = try reader.readValue()
      try process(item, at: .item, duplicate: reader.takeDuplicateKey())
    }
    if !options.diff { try emitter?.endList(tail: []) }
    if flushesEachObject { try emitter?.flush() }
  }

  // MARK: - YAML

  /// Reads YAML documents until the stream ends or a syntax error.
  func applyYAML(_ reader: YAMLStreamReader) throws(OutputSinkError) -> Bool {
    reader.refusesCutLastDocument = true
    while true {
      let document: Value?
      do {
        document = try reader.nextDocument()
      } catch let error as YAMLError {
        if reader.canContinue {
          // Valid YAML that cannot be a Kubernetes value: that document alone fails.
          objectNumber += 1
          failureCount += 1
          report.record(apiVersion: "", kind: "", .failed)
          problem(
            inputError(.unsupportedYAML, line: error.line, column: error.column, error.message))
          continue
        }
        try stop(.malformedYAML, line: error.line, column: error.column, error.message)
        return false
      } catch {
        preconditionFailure("unexpected error \(error)")
      }
      guard let document else { return true }
      if let (head, items, tail) = Self.splitList(document) {
        if !options.diff { try emitter?.beginList(head: head) }
        for item in items { try process(item, at: .item) }
        if !options.diff { try emitter?.endList(tail: tail) }
      } else {
        try processTopLevel(document)
      }
    }
  }

  /// A YAML document that is a `kind: …List` with an `items` sequence, cut around it.
  static func splitList(_ document: Value) -> (head: [Member], [Value], tail: [Member])? {
    guard case .object(let object) = document,
      object["kind"]?.stringValue?.hasSuffix("List") == true,
      let itemsIndex = object.index(of: "items"),
      case .array(let items) = object.members[itemsIndex].value
    else { return nil }
    return (
      Array(object.members[..<itemsIndex]), items, Array(object.members[(itemsIndex + 1)...])
    )
  }

  // MARK: - Shared

  /// A whole top-level value: a watch frame or an object.
  ///
  /// Frames keep their type: the object inside is processed like any other, and the
  /// frame is written (around the rewritten object) exactly when the object would be.
  /// BOOKMARK and ERROR frames carry no object to rewrite and pass through unchanged
  /// and uncounted.
  func processTopLevel(
    _ value: Value, duplicate: JSONDuplicateKey? = nil
  ) throws(OutputSinkError) {
    guard case .object(let frame) = value, frame.count == 2,
      let type = frame["type"]?.stringValue, watchEventTypes.contains(type),
      let object = frame["object"]
    else {
      try process(value, at: .document, duplicate: duplicate)
      return
    }
    if type == "BOOKMARK" || type == "ERROR" {
      if !options.diff { try emitter?.writeDocument(value) }
      if flushesEachObject { try emitter?.flush() }
      return
    }
    try process(object, at: .frame(frame), duplicate: duplicate)
  }

  /// Ends an input at malformed text: what came before is written out first.
  private func stop(
    _ code: DiagnosticCode, line: Int, column: Int, _ message: String
  ) throws(OutputSinkError) {
    malformedInputCount += 1
    try emitter?.flush()
    problem(inputError(code, line: line, column: column, message))
  }
}
