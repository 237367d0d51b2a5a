import SyncValue

/// How diagnostics are printed.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
  /// For people: header, source line, caret, notes and help.
  case text
  /// One JSON object per line per finding, for tools.
  case json
  /// GitHub Actions workflow commands (`::error file=…::message`): annotations on a PR.
  case github
}

/// Turns diagnostics into text in one of the ``DiagnosticFormat``s.
///
/// Line and column are 1-based; the column counts Unicode scalars. `endLine` and
/// `endColumn` give the position just past the span (exclusive), as editors do.
/// A finding in a file without text (a file that is missing or unreadable, or whose
/// problem has no position, such as a CRD that is not valid) is about the whole file:
/// it is printed without line and column (`null` in JSON) and without an excerpt.
/// The renderer prints findings only: the summary line is the CLI's job.
public struct DiagnosticRenderer {
  public let files: SourceManager
  public let format: DiagnosticFormat
  public let color: Bool

  /// - Parameter color: ANSI colours in the text format; ignored by the others.
  public init(files: SourceManager, format: DiagnosticFormat, color: Bool = false) {
    self.files = files
    self.format = format
    self.color = color
  }

  /// Every diagnostic, in the given order; each line ends with a newline.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    var output = ""
    for (offset, diagnostic) in diagnostics.enumerated() {
      switch format {
      case .text:
        if offset > 0 { output += "\n" }
        output += text(diagnostic)
      case .json:
        output += json(diagnostic) + "\n"
      case .github:
        output += github(diagnostic) + "\n"
      }
    }
    return output
  }

  // MARK: Positions

  private struct Span {
    var path: String
    var start: SourceLocation
    var end: SourceLocation
    /// False for a finding about a whole file (see ``DiagnosticRenderer``).
    var hasPosition = true

    /// `path:line:column`, or just `path` for a whole file.
    var place: String { hasPosition ? "\(path):\(start)" : path }
  }

  private func span(_ range: SourceRange) -> Span {
    guard range.fileID >= 0, range.fileID < files.files.count else {
      let origin = SourceLocation(line: 1, column: 1)
      return Span(path: "<unknown>", start: origin, end: origin)
    }
    let file = files.file(range.fileID)
    return Span(
      path: file.path, start: file.location(of: range.start), end: file.location(of: range.end),
      hasPosition: !file.bytes.isEmpty)
  }

  // MARK: Text

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  private func severityLabel(_ severity: Severity) -> String {
    switch severity {
    case .error: return paint("error", "1;31")
    case .warning: return paint("warning", "1;33")
    case .note: return paint("note", "1;36")
    }
  }

  private func text(_ diagnostic: Diagnostic) -> String {
    let place = span(diagnostic.range)
    var output =
      paint("\(place.place):", "1") + " "
      + severityLabel(diagnostic.severity) + paint("[\(diagnostic.code.rawValue)]", "1")
      + paint(": \(diagnostic.message)", "1") + "\n"
    output += excerpt(diagnostic.range)
    // `=` lines up with the excerpt's `|`, as rustc prints them: one column further for
    // each digit of the line number past the first.
    let indent = String(repeating: " ", count: 1 + gutterWidth(diagnostic.range))
    for note in diagnostic.notes {
      var line = indent + "= " + paint("note", "1;36") + ": "
      if let range = note.range {
        line += "\(span(range).place): "
      }
      output += line + note.message + "\n"
    }
    if let help = diagnostic.help {
      output += indent + "= " + paint("help", "1;32") + ": " + help + "\n"
    }
    return output
  }

  /// The width of the line number in the excerpt of `range`; 1 when there is none.
  private func gutterWidth(_ range: SourceRange) -> Int {
    guard range.fileID >= 0, range.fileID < files.files.count else { return 1 }
    let file = files.file(range.fileID)
    guard !file.bytes.isEmpty else { return 1 }
    return String(file.location(of: range.start).line).count
  }

  /// How many columns of a source line an excerpt shows. Longer lines are cut around the
  /// caret: a generated file can hold a line of megabytes, and printing it whole (with a
  /// caret line as long) would bury the message and take minutes.
  static let excerptWidth = 120
  /// Columns kept before the caret when a long line is cut.
  static let excerptContext = 40

  /// The source line with a `line |` gutter and a caret line under the span (the span is
  /// cut at the end of its first line, and a long line around the caret, marked `…`).
  private func excerpt(_ range: SourceRange) -> String {
    guard range.fileID >= 0, range.fileID < files.files.count else { return "" }
    let file = files.file(range.fileID)
    guard !file.bytes.isEmpty else { return "" }
    let start = file.location(of: range.start)
    let end = file.location(of: range.end)
    let scalars = Array(file.lineText(start.line).unicodeScalars)
    let caret = start.column - 1
    var first = 0
    var last = scalars.count
    if scalars.count > Self.excerptWidth {
      first = max(0, min(caret - Self.excerptContext, scalars.count - Self.excerptWidth))
      // Cutting a few columns off the start saves nothing worth the `…`.
      if first < 8 { first = 0 }
      last = min(scalars.count, first + Self.excerptWidth)
    }
    var source = first > 0 ? "…" : ""
    source.unicodeScalars.append(contentsOf: scalars[first..<last])
    if last < scalars.count { source += "…" }
    let lineNumber = String(start.line)
    let gutter = String(repeating: " ", count: lineNumber.count)
    // Tabs stay tabs so the caret lines up however the terminal expands them.
    var padding = first > 0 ? " " : ""
    for scalar in scalars[first..<max(first, caret)] { padding += scalar == "\t" ? "\t" : " " }
    let lastColumn = end.line == start.line ? end.column : scalars.count + 1
    let width = max(1, min(lastColumn - start.column, last - caret))
    let marker = "^" + String(repeating: "~", count: width - 1)
    return paint("\(lineNumber) |", "1;34") + (source.isEmpty ? "" : " " + source) + "\n"
      + paint("\(gutter) |", "1;34") + " " + padding + paint(marker, "1;31") + "\n"
  }

  // MARK: JSON

  private func json(_ diagnostic: Diagnostic) -> String {
    let place = span(diagnostic.range)
    func number(_ value: Int) -> String { place.hasPosition ? String(value) : "null" }
    var fields = [
      "\"file\":\(jsonString(place.path))",
      "\"line\":\(number(place.start.line))",
      "\"column\":\(number(place.start.column))",
      "\"endLine\":\(number(place.end.line))",
      "\"endColumn\":\(number(place.end.column))",
      "\"severity\":\(jsonString(diagnostic.severity.rawValue))",
      "\"code\":\(jsonString(diagnostic.code.rawValue))",
      "\"message\":\(jsonString(diagnostic.message))",
    ]
    let notes = diagnostic.notes.map { note -> String in
      var parts = ["\"message\":\(jsonString(note.message))"]
      if let range = note.range {
        let at = span(range)
        parts += [
          "\"file\":\(jsonString(at.path))",
          "\"line\":\(at.hasPosition ? String(at.start.line) : "null")",
          "\"column\":\(at.hasPosition ? String(at.start.column) : "null")",
        ]
      }
      return "{" + parts.joined(separator: ",") + "}"
    }
    fields.append("\"notes\":[" + notes.joined(separator: ",") + "]")
    fields.append("\"help\":" + (diagnostic.help.map(jsonString) ?? "null"))
    return "{" + fields.joined(separator: ",") + "}"
  }

  /// A JSON string literal, written by the project's JSON writer.
  private func jsonString(_ text: String) -> String {
    JSON.serialize(.string(text))
  }

  // MARK: GitHub

  private func github(_ diagnostic: Diagnostic) -> String {
    let command: String
    switch diagnostic.severity {
    case .error: command = "error"
    case .warning: command = "warning"
    case .note: command = "notice"
    }
    let place = span(diagnostic.range)
    var properties = ["file=\(escapeProperty(place.path))"]
    if place.hasPosition {
      properties += [
        "line=\(place.start.line)", "col=\(place.start.column)", "endLine=\(place.end.line)",
        "endColumn=\(place.end.column)",
      ]
    }
    properties.append("title=\(escapeProperty(diagnostic.code.rawValue))")
    var message = diagnostic.message
    for note in diagnostic.notes {
      message += "\nnote: "
      if let range = note.range {
        message += "\(span(range).place): "
      }
      message += note.message
    }
    if let help = diagnostic.help { message += "\nhelp: " + help }
    return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))"
  }

  /// GitHub's escaping of a workflow command's message.
  private func escapeData(_ text: String) -> String {
    var result = ""
    for character in text.unicodeScalars {
      switch character {
      case "%": result += "%25"
      case "\r": result += "%0D"
      case "\n": result += "%0A"
      default: result.unicodeScalars.append(character)
      }
    }
    return result
  }

  /// GitHub's escaping of a workflow command's property value.
  private func escapeProperty(_ text: String) -> String {
    var result = ""
    for character in escapeData(text).unicodeScalars {
      switch character {
      case ":": result += "%3A"
      case ",": result += "%2C"
      default: result.unicodeScalars.append(character)
      }
    }
    return result
  }
}
