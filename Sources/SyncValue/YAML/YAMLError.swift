/// A problem found while reading YAML, with the 1-based position where it was found.
///
/// Syntax errors carry libyaml's own wording; conversion errors (tags, keys, aliases)
/// name the construct that cannot become a Kubernetes value and, where there is one,
/// the fix.
public struct YAMLError: Error, CustomStringConvertible, Sendable, Hashable {
  public var message: String
  /// 1-based line of the offending text.
  public var line: Int
  /// 1-based column of the offending text, counted in characters.
  public var column: Int

  public init(message: String, line: Int, column: Int) {
    self.message = message
    self.line = line
    self.column = column
  }

  /// `line 4, column 3: mapping values are not allowed in this context`
  public var description: String {
    "line \(line), column \(column): \(message)"
  }
}
