/// A half-open range of UTF-8 byte offsets into one ``SourceFile``.
///
/// Nodes keep offsets; line and column are computed only when a diagnostic is printed.
public struct SourceRange: Sendable, Hashable {
  public var fileID: Int
  public var start: Int
  public var end: Int

  public init(fileID: Int, start: Int, end: Int) {
    self.fileID = fileID
    self.start = start
    self.end = end
  }

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(fileID: fileID, start: min(start, other.start), end: max(end, other.end))
  }
}

/// A 1-based line and column (the column counts Unicode scalars, as editors do).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public var description: String { "\(line):\(column)" }
}

/// The text of one rule file and the table that turns byte offsets into lines.
public struct SourceFile: Sendable {
  /// Identifies the file inside a ``SourceManager``.
  public let id: Int
  /// The path as the user named it (printed in diagnostics).
  public let path: String
  public let text: String
  public let bytes: [UInt8]
  private let lineStarts: [Int]

  public init(id: Int, path: String, text: String) {
    self.id = id
    self.path = path
    self.text = text
    self.bytes = Array(text.utf8)
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(offset + 1)
    }
    self.lineStarts = starts
  }

  /// The line and column of a byte offset.
  public func location(of offset: Int) -> SourceLocation {
    let clamped = max(0, min(offset, bytes.count))
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if lineStarts[middle] <= clamped { low = middle } else { high = middle - 1 }
    }
    let lineStart = lineStarts[low]
    let prefix = bytes[lineStart..<clamped]
    let column = String(decoding: prefix, as: UTF8.self).unicodeScalars.count + 1
    return SourceLocation(line: low + 1, column: column)
  }

  /// The text of a 1-based line, without its newline.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }

  /// The source text a range covers.
  public func text(in range: SourceRange) -> String {
    let start = max(0, min(range.start, bytes.count))
    let end = max(start, min(range.end, bytes.count))
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }
}

/// Owns every file of one check or run, so ranges can name their file by id.
public final class SourceManager: @unchecked Sendable {
  public private(set) var files: [SourceFile] = []

  public init() {}

  /// Registers a file's text and returns it with its id.
  @discardableResult
  public func add(path: String, text: String) -> SourceFile {
    let file = SourceFile(id: files.count, path: path, text: text)
    files.append(file)
    return file
  }

  public func file(_ id: Int) -> SourceFile { files[id] }

  /// The file already registered under `path`, if any.
  public func file(path: String) -> SourceFile? {
    files.first { $0.path == path }
  }
}
