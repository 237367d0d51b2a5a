import CYAML

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bounds that keep hostile input from exhausting memory or the stack.
public struct YAMLReaderLimits: Sendable, Hashable {
  /// How many nodes aliases may copy into one document, counting every node of every
  /// copy. Aliases share storage here, but whatever consumes the value (a writer, a
  /// diff) walks each copy, so "billion laughs" input must stop at the reader.
  public var maxAliasExpansion: Int
  /// The deepest nesting of sequences and mappings; node building recurses.
  public var maxDepth: Int
  /// The most bytes one document read from a file descriptor may take (text in memory is
  /// bounded by its holder). libyaml holds a whole scalar before handing it over, so a
  /// 1 GiB string would take gigabytes; past this the stream ends with an error.
  public var maxDocumentBytes: Int

  public init(
    maxAliasExpansion: Int = 1_000_000, maxDepth: Int = 512,
    maxDocumentBytes: Int = JSONReaderLimits.defaultMaximumValueBytes
  ) {
    self.maxAliasExpansion = maxAliasExpansion
    self.maxDepth = maxDepth
    self.maxDocumentBytes = maxDocumentBytes
  }
}

/// Reads the documents of a YAML stream one at a time, as `kubectl apply -f` would see
/// them.
///
/// Reading is incremental: a reader over a pipe returns each document as soon as the
/// text that ends it has arrived (the next `---`, a `...` line, or end of input), and
/// keeps no state from earlier documents, so an endless stream runs in constant memory.
///
/// Documents that are empty (`---` followed by nothing but comments or another `---`)
/// are skipped, as kubectl skips them. A document holding an explicit `null` or `~` is
/// returned as `.null`.
///
/// After a syntax error the stream cannot be resumed and every later call throws the
/// same error. After an error in a well-formed document (a duplicate key, a rejected
/// tag) the reader has skipped the rest of that document, and the next call continues
/// with the following one.
public final class YAMLStreamReader {
  let parser: UnsafeMutablePointer<yaml_parser_t>
  let event: UnsafeMutablePointer<yaml_event_t>
  var hasEvent = false
  let limits: YAMLReaderLimits

  /// The text being parsed when reading from memory; libyaml reads it in place.
  private var input: UnsafeMutableBufferPointer<UInt8>?
  private var source: FileDescriptorSource?
  private var finished = false
  private var failure: YAMLError?

  /// False after a syntax error, which ends the stream; an error inside a well-formed
  /// document (a tag, a non-string key) leaves it true, and reading goes on with the next
  /// document.
  public var canContinue: Bool { failure == nil }

  /// Where the most recently started document began.
  private(set) var documentStart = (line: 1, column: 1)

  /// Whether a last document that ends on a key or `-` with no value is refused as cut
  /// off. `apply` sets it: kubectl never writes such a line, so at the very end of a
  /// stream it means the input was truncated (a Deployment without its pod template, an
  /// object without the name the full file had). Off for rule literals and test files,
  /// where `key:` may well mean null.
  public var refusesCutLastDocument = false

  /// Why the in-memory text stops early (a byte YAML does not allow), if it does.
  private var memoryTextProblem: YAMLError?
  /// An event read ahead to see whether a document was the last, for the next call.
  private var eventIsPending = false
  /// A syntax error met while reading ahead, for the next call.
  private var deferredError: YAMLError?
  /// The last scalar read was an empty plain value inside a collection (`key:`, `-`).
  var lastScalarWasMissingValue = false
  /// Where that value was.
  var lastMissingValueMark = yaml_mark_t()

  /// Why the input stops before its end, and where, once the reader has met that place.
  private var textProblem: YAMLError? { memoryTextProblem ?? source?.problem }

  // Per-document state; anchors never reach across `---`.
  var anchors: [String: Anchored] = [:]
  /// The key marks of the mappings being read (see `readMappingMembers`).
  var keyMarks: [yaml_mark_t] = []
  var aliasExpansion = 0

  struct Anchored {
    var value: Value
    var nodeCount: Int
  }

  /// Reads from an open file descriptor, which stays owned (and open) by the caller.
  ///
  /// Reads block until data arrives, so a document is returned as soon as its end is
  /// seen even when the writer keeps the pipe open.
  ///
  /// - Parameter prefix: bytes the caller already read from the descriptor (to tell YAML
  ///   from JSON on a pipe, which cannot be rewound); they are parsed first.
  public init(
    fileDescriptor: Int32, prefix: [UInt8] = [], limits: YAMLReaderLimits = YAMLReaderLimits()
  ) {
    self.limits = limits
    (parser, event) = Self.makeParser()
    let source = FileDescriptorSource(
      fileDescriptor: fileDescriptor, prefix: prefix, maximumDocumentBytes: limits.maxDocumentBytes)
    self.source = source
    yaml_parser_set_input(
      parser,
      { context, buffer, size, sizeRead in
        guard let context, let buffer, let sizeRead else { return 0 }
        let source = Unmanaged<FileDescriptorSource>.fromOpaque(context).takeUnretainedValue()
        return source.fill(buffer, size: size, sizeRead: sizeRead)
      },
      Unmanaged.passUnretained(source).toOpaque()
    )
  }

  /// Reads UTF-8 (or, with a byte order mark, UTF-16) text held in memory.
  public init(bytes: [UInt8], limits: YAMLReaderLimits = YAMLReaderLimits()) {
    self.limits = limits
    (parser, event) = Self.makeParser()
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
    _ = buffer.initialize(from: bytes)
    setInput(buffer, count: bytes.count)
  }

  public init(string: String, limits: YAMLReaderLimits = YAMLReaderLimits()) {
    self.limits = limits
    (parser, event) = Self.makeParser()
    let utf8 = string.utf8
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(utf8.count, 1))
    _ = buffer.initialize(from: utf8)
    setInput(buffer, count: utf8.count)
  }

  deinit {
    if hasEvent { yaml_event_delete(event) }
    yaml_parser_delete(parser)
    parser.deallocate()
    event.deallocate()
    input?.deallocate()
  }

  private static func makeParser() -> (
    UnsafeMutablePointer<yaml_parser_t>, UnsafeMutablePointer<yaml_event_t>
  ) {
    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    guard yaml_parser_initialize(parser) == 1 else {
      fatalError("libyaml could not allocate a parser")
    }
    return (parser, .allocate(capacity: 1))
  }

  private func setInput(_ buffer: UnsafeMutableBufferPointer<UInt8>, count: Int) {
    input = buffer
    var usable = count
    let text = UnsafeBufferPointer(rebasing: buffer[..<count])
    if !YAMLTextCheck.isUTF16(text) {
      let (valid, problem) = YAMLTextCheck.validPrefix(of: text, atEnd: true)
      usable = valid
      if let problem {
        let (line, column) = position(ofOffset: valid) ?? (1, 1)
        memoryTextProblem = YAMLError(message: problem, line: line, column: column)
      }
    }
    yaml_parser_set_input_string(parser, buffer.baseAddress, usable)
  }

  /// The next non-empty document, or `nil` at the end of the stream.
  public func nextDocument() throws -> Value? {
    if let failure { throw failure }
    do {
      if let deferredError { throw deferredError }
      while !finished {
        if eventIsPending {
          eventIsPending = false
        } else {
          try advance()
        }
        switch event.pointee.type {
        case YAML_DOCUMENT_START_EVENT:
          documentStart = position(of: event.pointee.start_mark)
          source?.documentStarts()
          if let document = try readDocument() { return document }
        case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
          finished = true
          // The text libyaml was given ends at the refused byte.
          if let problem = textProblem { throw problem }
        default:
          continue
        }
      }
      return nil
    } catch let error as ConversionError {
      throw error.yamlError
    } catch var error as YAMLError {
      if var problem = textProblem, !error.message.hasPrefix(problem.message),
        (error.line, error.column) >= (problem.line, problem.column)
      {
        // The text was cut at a refused byte: that byte is the cause, not what libyaml
        // made of the cut. A syntax error before the byte is reported as it is, so that
        // the first error in the text wins, however much of it was read ahead.
        problem.message += "; the document it is in is left out"
        error = problem
      }
      failure = error
      throw error
    }
  }

  /// Reads from just after DOCUMENT-START through DOCUMENT-END.
  private func readDocument() throws -> Value? {
    defer {
      anchors.removeAll()
      aliasExpansion = 0
    }
    try advance()
    let isEmpty = isEmptyPlainScalar
    let value: Value
    lastScalarWasMissingValue = false
    do {
      value = try readNode(depth: 0)
    } catch let error as ConversionError {
      try skipRestOfDocument()
      throw error
    }
    try advance()
    // Not `isEmpty ? nil : value`: `Value` is itself nil-literal convertible.
    if isEmpty { return Optional.none }
    let endsOnMissingValue = refusesCutLastDocument && lastScalarWasMissingValue
    if textProblem != nil || endsOnMissingValue {
      // Is this the last document? Only the last one can have been cut.
      do {
        try advance()
      } catch let error as YAMLError {
        // The next document is broken (cut by the refused byte, say): that is its
        // error, to be thrown by the next call; this one is whole.
        deferredError = error
        return value
      }
      eventIsPending = true
      if event.pointee.type == YAML_STREAM_END_EVENT {
        if var problem = textProblem {
          problem.message += "; the document it is in is left out"
          throw problem
        }
        if endsOnMissingValue {
          let (line, column) = position(of: lastMissingValueMark)
          throw YAMLError(
            message: "the input ends on a key or `-` with no value, where kubectl always writes "
              + "one: the document looks cut off and is left out (write `null` or `{}` if the "
              + "value is meant to be empty)", line: line, column: column)
        }
      }
    }
    return value
  }

  /// Leaves the parser just past the current document's DOCUMENT-END, so that the next
  /// document can still be read after a document-level (not syntax) error.
  private func skipRestOfDocument() throws {
    while event.pointee.type != YAML_DOCUMENT_END_EVENT {
      try advance()
      if event.pointee.type == YAML_STREAM_END_EVENT || event.pointee.type == YAML_NO_EVENT {
        finished = true
        return
      }
    }
  }

  private var isEmptyPlainScalar: Bool {
    event.pointee.type == YAML_SCALAR_EVENT && Self.isEmptyPlain(event.pointee)
  }

  /// Replaces the current event with the next one.
  func advance() throws {
    if hasEvent {
      yaml_event_delete(event)
      hasEvent = false
    }
    guard yaml_parser_parse(parser, event) == 1 else { throw syntaxError() }
    hasEvent = true
  }

  func position(of mark: yaml_mark_t) -> (line: Int, column: Int) {
    (Int(mark.line) + 1, Int(mark.column) + 1)
  }

  private func syntaxError() -> YAMLError {
    let state = parser.pointee
    if let source, source.errorNumber != 0 {
      let reason = String(cString: strerror(source.errorNumber))
      let (line, column) = position(of: state.mark)
      return YAMLError(message: "cannot read input: \(reason)", line: line, column: column)
    }
    let problem = state.problem.map { String(cString: $0) } ?? "invalid YAML"
    switch state.error {
    case YAML_MEMORY_ERROR:
      let (line, column) = position(of: state.mark)
      return YAMLError(message: "out of memory", line: line, column: column)
    case YAML_READER_ERROR:
      var message = problem
      if state.problem_value != -1 {
        message += " (byte 0x\(String(state.problem_value, radix: 16)))"
      }
      let (line, column) = position(ofOffset: state.problem_offset) ?? position(of: state.mark)
      return YAMLError(message: message, line: line, column: column)
    default:
      var message = problem
      if let context = state.context {
        let (line, column) = position(of: state.context_mark)
        message += " (\(String(cString: context)) at line \(line), column \(column))"
      }
      let (line, column) = position(of: state.problem_mark)
      return YAMLError(message: message, line: line, column: column)
    }
  }

  /// libyaml reports encoding errors by byte offset, before it has computed a line for
  /// them; with the input in memory the line and column can be recovered.
  private func position(ofOffset offset: Int) -> (line: Int, column: Int)? {
    guard let input, offset <= input.count else { return nil }
    var line = 1
    var column = 1
    for byte in input[..<offset] {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }
}

/// Calls `read(2)` for libyaml; a class so libyaml can hold it through a raw pointer.
final class FileDescriptorSource {
  let fileDescriptor: Int32
  private(set) var errorNumber: Int32 = 0
  /// Bytes to hand out before any more `read(2)`: the caller's prefix, then the start of
  /// a UTF-8 character cut by the end of a read.
  private var pending: [UInt8]
  /// Whether the text is checked (not for UTF-16, which libyaml decodes and checks);
  /// known once the stream's first two bytes are (a byte order mark or not), which may
  /// be after the caller's prefix.
  private var checksText = true
  private var knowsEncoding = false
  /// Why the input was cut before its end (a byte YAML does not allow), and where.
  /// libyaml is told the input ends there.
  private(set) var problem: YAMLError?
  /// Line feeds handed out so far, and characters handed out since the last of them:
  /// where the next byte is, should it be refused.
  private var lineFeeds = 0
  private var charactersInLine = 0

  /// See ``YAMLReaderLimits/maxDocumentBytes``.
  private let maximumDocumentBytes: Int
  /// Bytes handed to libyaml so far, and when the current document started (libyaml
  /// reads ahead, so this is within a buffer of where it starts).
  private var handedOut = 0
  private var documentStart = 0

  init(
    fileDescriptor: Int32, prefix: [UInt8] = [],
    maximumDocumentBytes: Int = JSONReaderLimits.defaultMaximumValueBytes
  ) {
    self.fileDescriptor = fileDescriptor
    pending = prefix
    self.maximumDocumentBytes = maximumDocumentBytes
  }

  /// The reader has seen a document start: its size counts from here.
  func documentStarts() {
    documentStart = handedOut
  }

  /// libyaml's read-handler contract: 1 and `sizeRead` (0 at end of input), or 0 on error.
  ///
  /// Hands out whole characters only, and nothing from a refused byte on.
  func fill(
    _ buffer: UnsafeMutablePointer<UInt8>, size: Int, sizeRead: UnsafeMutablePointer<Int>
  ) -> Int32 {
    guard problem == nil else {
      sizeRead.pointee = 0
      return 1
    }
    if !knowsEncoding {
      guard readEncodingMark() else { return 0 }
    }
    if handedOut - documentStart > maximumDocumentBytes {
      let size = JSONScanner.describeSize(maximumDocumentBytes)
      problem = YAMLError(
        message: "a single document is larger than \(size), the most one object may take "
          + "(Kubernetes keeps none above 1.5 MB)", line: lineFeeds + 1,
        column: charactersInLine + 1)
      sizeRead.pointee = 0
      return 1
    }
    var count = min(size, pending.count)
    pending.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: count) }
    pending.removeFirst(count)
    while true {
      var atEnd = false
      if pending.isEmpty && count < min(size, 4) {
        // Too little to be sure of a whole character: read more behind it.
        let read = readInput(from: fileDescriptor, into: buffer + count, count: size - count)
        if read < 0 {
          errorNumber = errno
          return 0
        }
        atEnd = read == 0
        count += read
      }
      guard checksText else { break }
      let (valid, problem) = YAMLTextCheck.validPrefix(
        of: UnsafeBufferPointer(start: buffer, count: count), atEnd: atEnd && pending.isEmpty)
      if let problem {
        count = valid
        advancePosition(over: UnsafeBufferPointer(start: buffer, count: count))
        self.problem = YAMLError(
          message: problem, line: lineFeeds + 1, column: charactersInLine + 1)
        break
      }
      if valid < count {
        // A character cut by the end of the read: keep its start for the next call.
        pending.insert(
          contentsOf: UnsafeBufferPointer(start: buffer + valid, count: count - valid), at: 0)
        count = valid
      }
      // Nothing whole yet (a character arriving a byte at a time) would read as the end.
      if count > 0 || atEnd { break }
      pending.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: $0.count) }
      count = pending.count
      pending.removeAll()
    }
    if checksText, problem == nil {
      advancePosition(over: UnsafeBufferPointer(start: buffer, count: count))
    }
    handedOut += count
    sizeRead.pointee = count
    return 1
  }

  /// Reads until the stream's first two bytes are pending (or the input ends) and
  /// decides from them whether the text is UTF-16; false on a read error.
  private func readEncodingMark() -> Bool {
    var bytes = [UInt8](repeating: 0, count: 2)
    while pending.count < 2 {
      let read = bytes.withUnsafeMutableBufferPointer {
        readInput(from: fileDescriptor, into: $0.baseAddress!, count: 2 - pending.count)
      }
      if read < 0 {
        errorNumber = errno
        return false
      }
      if read == 0 { break }
      pending.append(contentsOf: bytes[..<read])
    }
    checksText = !YAMLTextCheck.isUTF16(pending)
    knowsEncoding = true
    return true
  }

  /// Counts the line feeds and the characters after the last of them.
  private func advancePosition(over bytes: UnsafeBufferPointer<UInt8>) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    var lastLineFeed = -1
    var next = UnsafeRawPointer(base)
    let end = next + bytes.count
    while next < end, let found = memchr(next, 0x0A, end - next) {
      lineFeeds += 1
      lastLineFeed = UnsafeRawPointer(found) - UnsafeRawPointer(base)
      next = UnsafeRawPointer(found) + 1
    }
    if lastLineFeed >= 0 { charactersInLine = 0 }
    for byte in bytes[(lastLineFeed + 1)...] where byte & 0xC0 != 0x80 { charactersInLine += 1 }
  }
}
