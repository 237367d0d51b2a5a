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

  public init(maximumDepth: Int = 512) {
    self.maximumDepth = maximumDepth
  }
}
