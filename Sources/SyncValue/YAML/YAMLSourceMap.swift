import CYAML

/// Where each node of one YAML document starts, by path.
///
/// ``YAML/parse(_:limits:)`` yields plain values, which is what objects need; files
/// that are read as configuration (test files) also need to say *where* a well-formed
/// document has the wrong shape. This second, cheap pass over libyaml's events
/// records the position of every key and value so such errors can name a line and
/// column.
///
/// Paths are lists of map keys and decimal array indices. Nodes reached only through
/// an alias or a merge key (`<<`) are not recorded; lookups fall back to the nearest
/// recorded ancestor, so every lookup returns some position.
public struct YAMLSourceMap: Sendable {
  /// A 1-based line and column.
  public struct Location: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
      self.line = line
      self.column = column
    }

    public var description: String { "\(line):\(column)" }
  }

  private var values: [[String]: Location] = [:]
  private var keys: [[String]: Location] = [:]

  /// Maps the document at `index` (0-based, empty documents count) of `text`.
  ///
  /// Text that is not well-formed YAML yields a map that places everything at 1:1;
  /// the parse that reads the values reports the syntax error itself.
  public init(text: String, document index: Int = 0) {
    let walker = EventWalker(text: text)
    defer { walker.close() }
    var seen = 0
    while let type = walker.next() {
      switch type {
      case YAML_DOCUMENT_START_EVENT:
        guard seen == index else {
          seen += 1
          continue
        }
        guard walker.next() != nil else { return }
        walker.record(path: [], into: &self)
        return
      case YAML_STREAM_END_EVENT:
        return
      default:
        continue
      }
    }
  }

  /// Whether the document is a map or a list with something in it (not an empty
  /// document, which ``YAML/parseAll(_:limits:)`` leaves out, or a lone scalar).
  public var hasMembers: Bool { !keys.isEmpty || values.count > 1 }

  /// Where the value at `path` starts (or its nearest recorded ancestor).
  public func location(of path: [String]) -> Location {
    var path = path
    while true {
      if let found = values[path] { return found }
      if path.isEmpty { return Location(line: 1, column: 1) }
      path.removeLast()
    }
  }

  /// Where the key of the map member at `path` starts; for array elements and the
  /// root, where the value starts.
  public func keyLocation(of path: [String]) -> Location {
    keys[path] ?? location(of: path)
  }

  fileprivate mutating func recordValue(_ path: [String], _ location: Location) {
    values[path] = location
  }

  fileprivate mutating func recordKey(_ path: [String], _ location: Location) {
    keys[path] = location
  }
}

/// Steps through libyaml events, keeping the current one.
private final class EventWalker {
  let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
  let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
  let input: UnsafeMutableBufferPointer<UInt8>
  let initialized: Bool
  var hasEvent = false
  var failed = false

  init(text: String) {
    let utf8 = text.utf8
    input = .allocate(capacity: max(utf8.count, 1))
    _ = input.initialize(from: utf8)
    initialized = yaml_parser_initialize(parser) == 1
    failed = !initialized
    if initialized { yaml_parser_set_input_string(parser, input.baseAddress, utf8.count) }
  }

  func close() {
    if hasEvent { yaml_event_delete(event) }
    if initialized { yaml_parser_delete(parser) }
    parser.deallocate()
    event.deallocate()
    input.deallocate()
  }

  /// Advances; nil at the end of input or on a syntax error.
  func next() -> yaml_event_type_t? {
    guard !failed else { return nil }
    if hasEvent {
      yaml_event_delete(event)
      hasEvent = false
    }
    guard yaml_parser_parse(parser, event) == 1 else {
      failed = true
      return nil
    }
    hasEvent = true
    let type = event.pointee.type
    return type == YAML_NO_EVENT ? nil : type
  }

  var location: YAMLSourceMap.Location {
    let mark = event.pointee.start_mark
    return YAMLSourceMap.Location(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
  }

  var scalarText: String {
    let scalar = event.pointee.data.scalar
    guard let start = scalar.value else { return "" }
    return String(decoding: UnsafeBufferPointer(start: start, count: scalar.length), as: UTF8.self)
  }

  /// Records the node whose first event is current, leaving its last event current.
  /// Returns false when the events ran out (a syntax error).
  @discardableResult
  func record(path: [String], into map: inout YAMLSourceMap) -> Bool {
    map.recordValue(path, location)
    switch event.pointee.type {
    case YAML_SEQUENCE_START_EVENT:
      var index = 0
      while let type = next() {
        if type == YAML_SEQUENCE_END_EVENT { return true }
        guard record(path: path + [String(index)], into: &map) else { return false }
        index += 1
      }
      return false
    case YAML_MAPPING_START_EVENT:
      while let type = next() {
        if type == YAML_MAPPING_END_EVENT { return true }
        let keyLocation = location
        var key = "\u{0}complex key"
        if type == YAML_SCALAR_EVENT {
          key = scalarText
        } else {
          var ignored = YAMLSourceMap(text: "")
          guard record(path: [], into: &ignored) else { return false }
        }
        map.recordKey(path + [key], keyLocation)
        guard next() != nil, record(path: path + [key], into: &map) else { return false }
      }
      return false
    default:
      return true
    }
  }
}
