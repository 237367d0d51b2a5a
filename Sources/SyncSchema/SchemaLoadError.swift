/// A CRD file that could not be read or understood.
public struct SchemaLoadError: Error, CustomStringConvertible, Sendable {
  /// The file as given (or found under a given directory).
  public var file: String
  /// 1-based position of a syntax error, when the reader reported one.
  public var line: Int?
  public var column: Int?
  public var message: String

  public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
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
