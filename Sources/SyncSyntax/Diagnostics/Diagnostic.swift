/// One finding: what is wrong, where, and how to fix it.
public struct Diagnostic: Sendable, Hashable {
  /// A secondary message, optionally pointing at another place in the source.
  public struct Note: Sendable, Hashable {
    public var message: String
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
      self.message = message
      self.range = range
    }
  }

  public var code: DiagnosticCode
  public var severity: Severity
  public var message: String
  public var range: SourceRange
  public var notes: [Note]
  /// A suggested fix, printed as `help: …` ("did you mean …").
  public var help: String?

  public init(
    _ code: DiagnosticCode, _ message: String, at range: SourceRange,
    notes: [Note] = [], help: String? = nil, severity: Severity? = nil
  ) {
    self.code = code
    self.severity = severity ?? code.defaultSeverity
    self.message = message
    self.range = range
    self.notes = notes
    self.help = help
  }
}

/// Collects diagnostics for a file set, capping how many errors each file reports.
public struct DiagnosticBag: Sendable {
  public private(set) var diagnostics: [Diagnostic] = []
  /// Errors kept per file before the rest are summarised by one ``DiagnosticCode/tooManyErrors``.
  public var errorLimitPerFile: Int
  private var errorsPerFile: [Int: Int] = [:]
  private var suppressedPerFile: [Int: Int] = [:]

  public init(errorLimitPerFile: Int = 50) {
    self.errorLimitPerFile = errorLimitPerFile
  }

  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

  public mutating func report(_ diagnostic: Diagnostic) {
    if diagnostic.severity == .error {
      let fileID = diagnostic.range.fileID
      let count = errorsPerFile[fileID, default: 0]
      guard count < errorLimitPerFile else {
        suppressedPerFile[fileID, default: 0] += 1
        return
      }
      errorsPerFile[fileID] = count + 1
    }
    diagnostics.append(diagnostic)
  }

  public mutating func append(contentsOf other: [Diagnostic]) {
    for diagnostic in other { report(diagnostic) }
  }

  /// The diagnostics sorted by file and position, with one summary per capped file.
  public func finished(files: SourceManager) -> [Diagnostic] {
    var result = diagnostics
    for (fileID, count) in suppressedPerFile.sorted(by: { $0.key < $1.key }) {
      let end = files.file(fileID).bytes.count
      result.append(
        Diagnostic(
          .tooManyErrors,
          "\(count) more error\(count == 1 ? "" : "s") in this file not shown "
            + "(limit \(errorLimitPerFile) per file)",
          at: SourceRange(fileID: fileID, start: end, end: end)))
    }
    return result.sorted {
      ($0.range.fileID, $0.range.start, $0.code.rawValue)
        < ($1.range.fileID, $1.range.start, $1.code.rawValue)
    }
  }
}
