/// A CRD file that could not be read or understood.
public struct SchemaLoadError: Error, CustomStringConvertible, Sendable {
  /// The file as given (or found under a given directory).
  public var file: String
  /// 1-based position of a syntax error, when the reader reported one.
  public var line: Int?
  public var column: Int?
  public var message: String
  /// True when the file or directory is missing or cannot be read; false when its
  /// content is wrong (a syntax error, a CRD that is not valid).
  public var isUnreadable: Bool

  public init(
    file: String, line: Int? = nil, column: Int? = nil, message: String,
    isUnreadable: Bool = false
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
    self.isUnreadable = isUnreadable
  }

  /// `crds/rollout.yaml:12:3: message`, the way compilers print locations.
  public var description: String {
    var location = file
    if let line {
      location += ":\(line)"
      if let column { location += ":\(column)" }
    }
    return "\(location): \(message)"
  }
}
