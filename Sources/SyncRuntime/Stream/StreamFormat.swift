/// The text format of an object stream on input.
public enum InputFormat: String, Sendable, CaseIterable {
  case json
  case yaml
}

/// The text format `apply` writes.
public enum OutputFormat: String, Sendable, CaseIterable {
  /// Pretty JSON, indented with 4 spaces as kubectl prints it; a `kind: List` keeps its
  /// envelope, and several objects follow one another (as `kubectl get -w -o json` prints).
  case json
  /// Block-style YAML, `---` between documents.
  case yaml
  /// Compact JSON, one object per line; List items are written one per line without their
  /// envelope.
  case ndjson
}

/// What the first bytes of an input say about it.
public struct DetectedFormat: Sendable, Equatable {
  public var format: InputFormat
  /// For JSON: whether the first value is laid out over several lines (kubectl's
  /// `-o json`), as opposed to compact one-line values (NDJSON, `jq -c`).
  public var isPretty: Bool

  public init(format: InputFormat, isPretty: Bool) {
    self.format = format
    self.isPretty = isPretty
  }

  /// Looks at the first non-blank bytes of `prefix`: `{` or `[` is JSON, anything else
  /// (including nothing) is YAML. A UTF-8 byte order mark is ignored.
  ///
  /// JSON counts as pretty when a line break follows the opening bracket, which is how
  /// kubectl and `jq` print; `{"apiVersion":…` and `{ "a": 1 }` count as compact.
  public static func detect(_ prefix: some Collection<UInt8>) -> DetectedFormat {
    var bytes = prefix[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    guard let first = bytes.firstIndex(where: { !isBlank($0) }) else {
      return DetectedFormat(format: .yaml, isPretty: false)
    }
    guard bytes[first] == UInt8(ascii: "{") || bytes[first] == UInt8(ascii: "[") else {
      return DetectedFormat(format: .yaml, isPretty: false)
    }
    let rest = bytes[bytes.index(after: first)...]
    let next = rest.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
    let isPretty = next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r")
    return DetectedFormat(format: .json, isPretty: isPretty)
  }

  /// Whether `prefix` holds enough to decide: a non-blank byte and, for JSON, the byte
  /// after its opening bracket.
  static func isConclusive(_ prefix: [UInt8]) -> Bool {
    guard let first = prefix.firstIndex(where: { !isBlank($0) && !isByteOrderMark($0) }) else {
      return false
    }
    guard prefix[first] == UInt8(ascii: "{") || prefix[first] == UInt8(ascii: "[") else {
      return true
    }
    return prefix[(first + 1)...].contains { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
  }

  private static func isBlank(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }

  private static func isByteOrderMark(_ byte: UInt8) -> Bool {
    byte == 0xEF || byte == 0xBB || byte == 0xBF
  }
}
