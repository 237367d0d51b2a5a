/// One-call entry points for YAML text.
public enum YAML {
  /// Parses text that holds exactly one (non-empty) document.
  public static func parse(_ text: String, limits: YAMLReaderLimits = YAMLReaderLimits())
    throws -> Value
  {
    let reader = YAMLStreamReader(string: text, limits: limits)
    guard let document = try reader.nextDocument() else {
      throw YAMLError(message: "expected a YAML document, found none", line: 1, column: 1)
    }
    if try reader.nextDocument() != nil {
      let (line, column) = reader.documentStart
      throw YAMLError(
        message: "expected a single YAML document, found another one here; use parseAll",
        line: line, column: column)
    }
    return document
  }

  /// Parses every non-empty document of a stream, in order.
  public static func parseAll(_ text: String, limits: YAMLReaderLimits = YAMLReaderLimits())
    throws -> [Value]
  {
    let reader = YAMLStreamReader(string: text, limits: limits)
    var documents: [Value] = []
    while let document = try reader.nextDocument() {
      documents.append(document)
    }
    return documents
  }
}
