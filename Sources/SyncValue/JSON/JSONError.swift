/// A JSON syntax or input error, located in the input.
///
/// `line` and `column` are 1-based; `column` counts bytes from the start of the line, so a
/// line with multi-byte UTF-8 text before the error reports a larger column than an editor
/// would. `offset` is the 0-based byte offset from the start of the input (or stream).
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
  public var message: String
  public var line: Int
  public var column: Int
  public var offset: Int

  public init(message: String, line: Int, column: Int, offset: Int) {
    self.message = message
    self.line = line
    self.column = column
    self.offset = offset
  }

  /// `line 3, column 14: expected ',' or '}' after object member`.
  public var description: String {
    "line \(line), column \(column): \(message)"
  }
}

/// Options of the reader that callers may want to tighten or loosen.
public struct JSONReaderLimits: Sendable, Equatable {
  /// Containers nested deeper than this are rejected instead of overflowing the stack.
  public var maximumDepth: Int
  /// The most bytes one value may take: a top-level value, or one element of an array
  /// read element by element (a List's items). Kubernetes keeps no object above about
  /// 1.5 MB (etcd's limit), so anything near this is hostile or broken; without a bound,
  /// a 1 GiB string took 4 GB of memory. A List streamed item by item is not bounded as a
  /// whole.
  public var maximumValueBytes: Int

  /// The default for ``maximumValueBytes``: 64 MiB.
  public static let defaultMaximumValueBytes = 64 << 20

  public init(maximumDepth: Int = 512, maximumValueBytes: Int = defaultMaximumValueBytes) {
    self.maximumDepth = maximumDepth
    self.maximumValueBytes = maximumValueBytes
  }
}

/// A key that appears twice in one JSON object.
///
/// RFC 8259 leaves such objects to the reader, and readers disagree: kubectl keeps the
/// last copy, a rule reading the first one sees another object than the API server
/// would. The reader accepts the text (it is valid JSON) and says where the copies are,
/// so that the caller can refuse the object.
public struct JSONDuplicateKey: Sendable, Equatable, CustomStringConvertible {
  public var key: String
  /// Line and column (1-based, the column in bytes) of the first copy.
  public var first: (line: Int, column: Int)
  /// Line and column of the second copy.
  public var second: (line: Int, column: Int)

  public init(key: String, first: (line: Int, column: Int), second: (line: Int, column: Int)) {
    self.key = key
    self.first = first
    self.second = second
  }

  public static func == (lhs: JSONDuplicateKey, rhs: JSONDuplicateKey) -> Bool {
    lhs.key == rhs.key && lhs.first == rhs.first && lhs.second == rhs.second
  }

  /// `duplicate key "namespace" at 1:60 (first at 1:40)`.
  public var description: String {
    "duplicate key \(JSON.serialize(.string(key))) at \(second.line):\(second.column) "
      + "(first at \(first.line):\(first.column))"
  }
}
