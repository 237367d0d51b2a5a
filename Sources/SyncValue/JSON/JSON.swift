/// Entry points for reading and writing whole JSON documents.
///
/// For streams and `kind: List` item-by-item reading see ``JSONStreamReader``; for
/// incremental output see ``JSONWriter`` and ``OutputSink``.
public enum JSON {
  /// Parses exactly one JSON value (RFC 8259), with optional whitespace around it.
  ///
  /// A UTF-8 byte order mark at the start is skipped. Anything but whitespace after the
  /// value is an error.
  public static func parse(
    _ bytes: [UInt8], limits: JSONReaderLimits = .init()
  ) throws(JSONError) -> Value {
    var scanner = JSONScanner(bytes: bytes)
    scanner.apply(limits)
    try scanner.skipByteOrderMark()
    let value = try scanner.parseValue()
    try scanner.skipWhitespace()
    if scanner.pos != scanner.end {
      throw scanner.unexpected("expected end of input after the JSON value")
    }
    return value
  }

  /// Parses exactly one JSON value from text; see ``parse(_:limits:)-([UInt8],_)``.
  public static func parse(
    _ text: String, limits: JSONReaderLimits = .init()
  ) throws(JSONError) -> Value {
    try parse(Array(text.utf8), limits: limits)
  }

  /// Renders `value` as JSON text without a trailing newline.
  ///
  /// - Parameter indent: nil for compact output; otherwise spaces per level, as kubectl
  ///   prints with 4.
  public static func serialize(_ value: Value, indent: Int? = nil) -> String {
    var writer = JSONWriter(style: indent.map { .pretty(indent: $0) } ?? .compact)
    writer.write(value)
    return writer.withBytes { String(decoding: $0, as: UTF8.self) }
  }

  /// Renders `value` as JSON text: compact, or pretty with kubectl's 4-space indent.
  public static func serialize(_ value: Value, pretty: Bool) -> String {
    serialize(value, indent: pretty ? 4 : nil)
  }
}
