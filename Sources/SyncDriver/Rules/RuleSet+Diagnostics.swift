import Foundation
import SyncCheck
import SyncRuntime
import SyncSyntax

// The one way every command and the demo show rule findings and pick the stdlib, so
// `check`, `apply`, `explain`, `sync`, `diff`, `test` and the rule reloader agree.

extension RuleSet {
  /// The stdlib `import "std/…"` reads: `directory` when given (`--stdlib DIR`), else
  /// the copy built into the binary.
  public static func stdlib(directory: String?) -> any StdlibSource {
    directory.map { DirectoryStdlib(directory: $0) } ?? EmbeddedStdlib()
  }

  /// The findings, in `format`.
  public func renderedDiagnostics(format: DiagnosticFormat = .text, color: Bool = false)
    -> String
  {
    DiagnosticRenderer(files: files, format: format, color: color).render(diagnostics)
  }

  /// The findings and the closing summary line: what a command prints on standard error
  /// when the rules do not compile.
  public func renderedFailure(color: Bool = false) -> String {
    renderedDiagnostics(color: color) + summaryLine
  }

  /// The closing line of `check`: what was checked and what was found.
  public var summaryLine: String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.filter { $0.severity == .warning }.count
    func plural(_ count: Int, _ word: String) -> String {
      "\(count) \(word)\(count == 1 ? "" : "s")"
    }
    return "\(plural(files.files.count, "file")), \(plural(checked.rules.count, "rule")): "
      + "\(plural(errors, "error")), \(plural(warnings, "warning"))\n"
  }
}

extension RuleSet.InputError {
  /// The error rendered as a finding in `format`.
  public func renderedDiagnostic(format: DiagnosticFormat = .text, color: Bool = false)
    -> String
  {
    let (files, diagnostic) = self.diagnostic()
    return DiagnosticRenderer(files: files, format: format, color: color).render([diagnostic])
  }

  /// The error as a finding, with the file it names, so that every output format
  /// prints it the way it prints findings in rule files.
  ///
  /// With a position (a YAML or JSON syntax error in a CRD), the file's text is loaded
  /// so the text format can show the line; without one, the file is registered without
  /// text, which the renderer prints as a finding about the whole file.
  public func diagnostic() -> (SourceManager, Diagnostic) {
    let files = SourceManager()
    var text = ""
    if line != nil, let data = FileManager.default.contents(atPath: file) {
      text = String(decoding: data, as: UTF8.self)
    }
    let source = files.add(path: file, text: text)
    let offset = Self.offset(line: line ?? 1, column: column ?? 1, in: source.bytes)
    let range = SourceRange(fileID: source.id, start: offset, end: offset)
    return (files, Diagnostic(code, message, at: range))
  }

  /// The byte offset of a 1-based line and column (in Unicode scalars), clamped to the
  /// text: a reader may point just past the end of a line or of the file.
  static func offset(line: Int, column: Int, in bytes: [UInt8]) -> Int {
    var offset = 0
    var currentLine = 1
    while currentLine < line, offset < bytes.count {
      if bytes[offset] == UInt8(ascii: "\n") { currentLine += 1 }
      offset += 1
    }
    var scalars = 1
    while scalars < column, offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
      offset += 1
      // Continuation bytes of a UTF-8 sequence belong to the scalar before them.
      while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
      scalars += 1
    }
    return offset
  }
}
