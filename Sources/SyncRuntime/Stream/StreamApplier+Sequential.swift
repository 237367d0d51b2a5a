import SyncSyntax
import SyncValue

// The sequential reader: every input shape, on the calling thread.
extension StreamApplier {
  /// The calling thread's processor; `apply` makes it before any reading.
  private var current: ObjectProcessor { processor! }

  // MARK: - JSON

  /// Reads top-level JSON values until the input ends.
  ///
  /// Malformed text is reported with its line and column; then reading goes on at the
  /// next line that starts with `{` or `[`, so that in a stream of one value per line
  /// (NDJSON, watch frames) one bad line loses nothing else.
  func applyJSON(_ reader: JSONStreamReader) throws(OutputSinkError) -> Bool {
    reader.projection = projections
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
          try processed(current.process(try reader.readValue(), at: .document))
        }
      } catch let error as JSONError {
        try reportMalformed(.malformedJSON, line: error.line, column: error.column, error.message)
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

  /// Reports a failure, if any, and writes out what is done.
  private func processed(_ failure: ObjectProcessor.Failure?) throws(OutputSinkError) {
    if let failure { reportFailure(failure) }
    try objectDone()
  }

  /// Reads a top-level object member by member, so that the items of a List stream
  /// through one at a time (``ListShape``); any other object is read whole and
  /// processed.
  private func readObject(_ reader: JSONStreamReader) throws {
    try reader.beginObject()
    var head: [Member] = []
    // Objects have a handful of top-level members: one allocation instead of regrowing.
    head.reserveCapacity(8)
    var tail: [Member] = []
    var isList = false
    // Members are projected until the object turns out to be a List.
    let projected = reader.projectingMembers()
    defer { if let projected { reader.endMembers(projected) } }
    while let key = try reader.nextKey() {
      if let projected, let whole = try reader.wholeFrameObject(of: projected) {
        head[1].value = whole
      }
      if !isList, key == "items", ListShape.itemsMakeAList(after: head),
        try reader.peekToken() == .beginArray
      {
        isList = true
        // A key twice in the envelope before `items` (or inside its metadata).
        if let duplicate = reader.takeDuplicateKey() { refuseEnvelopeMember(duplicate) }
        current.beginList(head: head)
        try reader.beginArray()
        while try reader.nextElement() {
          let item = try reader.readObjectValue()
          try processed(current.process(item, at: .item, duplicate: reader.takeDuplicateKey()))
        }
        continue
      }
      let value: Value?
      if !isList, let projected {
        value = try reader.readMember(key, of: projected)
      } else {
        value = try reader.readValue()
      }
      guard let value else { continue }
      let member = Member(key: key, value: value)
      if isList {
        if let duplicate = reader.takeDuplicateKey() {
          // A second `items` (say) in the envelope: which one counts is a guess, so the
          // copy is left out of the output, and the run fails.
          refuseEnvelopeMember(duplicate)
          continue
        }
        tail.append(member)
      } else {
        head.append(member)
      }
    }
    if isList {
      current.endList(tail: tail)
      try objectDone()
    } else {
      try processed(
        current.processTopLevel(
          .object(ObjectValue(members: head)), duplicate: reader.takeDuplicateKey()))
    }
  }

  private func refuseEnvelopeMember(_ duplicate: JSONDuplicateKey) {
    malformedInputCount += 1
    problem(
      "error[\(RuntimeErrorCode.duplicateKey.rawValue)]: \(inputName):\(duplicate.second.line):"
        + "\(duplicate.second.column): in the List's envelope: \(duplicate)\n")
  }

  /// A top-level array is a list of objects without an envelope.
  private func readArray(_ reader: JSONStreamReader) throws {
    try reader.beginArray()
    current.beginList(head: nil)
    while try reader.nextElement() {
      let item = try reader.readObjectValue()
      try processed(current.process(item, at: .item, duplicate: reader.takeDuplicateKey()))
    }
    current.endList(tail: [])
    try objectDone()
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
          _ = current.countUnreadableDocument()
          failureCount += 1
          problem(
            inputError(.unsupportedYAML, line: error.line, column: error.column, error.message))
          continue
        }
        try reportMalformed(
          .malformedYAML, line: error.line, column: error.column, error.message)
        return false
      } catch {
        preconditionFailure("unexpected error \(error)")
      }
      guard let document else { return true }
      if let (head, items, tail) = ListShape.split(document) {
        current.beginList(head: head)
        for item in items { try processed(current.process(item, at: .item)) }
        current.endList(tail: tail)
        try objectDone()
      } else {
        try processed(current.processTopLevel(document))
      }
    }
  }
}
