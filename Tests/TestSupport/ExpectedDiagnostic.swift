import Foundation

/// One diagnostic a test file says must be reported, written under the line it points at.
///
/// The one marker syntax of every corpus (parser, checker, docs/diagnostics.md): a comment
/// line whose first non-blank character after `#` is `^`. The diagnostic must start at the
/// caret's column on the nearest line above that is not a marker, have the code after the
/// caret, and its message must contain the text after the code (any message when none):
///
///     set spec.replcas = 0
///     #        ^ E0401 unknown field `replcas`
///
/// Marker lines are ordinary comments, so a marked file is still a rule file the CLI reads.
public struct ExpectedDiagnostic: Sendable, Equatable {
  public var line: Int
  public var column: Int
  public var code: String
  public var text: String

  public init(line: Int, column: Int, code: String, text: String) {
    self.line = line
    self.column = column
    self.code = code
    self.text = text
  }

  /// Position and code: what must match exactly.
  public var key: String { "\(line):\(column) \(code)" }

  /// Whether `message` is what this expectation allows.
  public func accepts(message: String) -> Bool {
    text.isEmpty || message.contains(text)
  }

  /// The markers of `text`, sorted by line, column and code.
  public static func parse(_ text: String) -> [ExpectedDiagnostic] {
    var markers: [ExpectedDiagnostic] = []
    var lastSourceLine = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let scalars = Array(line.unicodeScalars)
      guard scalars.first == "#", let caret = scalars.firstIndex(of: "^"),
        scalars[1..<caret].allSatisfy({ $0 == " " })
      else {
        lastSourceLine = index + 1
        continue
      }
      let rest = String(String.UnicodeScalarView(scalars[(caret + 1)...]))
        .trimmingCharacters(in: .whitespaces)
      let parts = rest.split(separator: " ", maxSplits: 1)
      markers.append(
        ExpectedDiagnostic(
          line: lastSourceLine, column: caret + 1, code: String(parts.first ?? ""),
          text: parts.count > 1 ? String(parts[1]) : ""))
    }
    return markers.sorted { ($0.line, $0.column, $0.code) < ($1.line, $1.column, $1.code) }
  }
}
