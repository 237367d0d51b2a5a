/// Writes values as block-style YAML laid out like `kubectl get -o yaml`.
///
/// Maps are `key: value` lines, lists are `- item` lines at the indentation of the key
/// that holds them, and key order is kept. Strings are quoted only when plain text
/// would read back as something else (`'true'`, `'1'`, `''`), multi-line strings become
/// `|` blocks, and empty collections are `{}` and `[]`. Whatever is written reads back,
/// through ``YAMLStreamReader`` or kubectl, as the same ``Value`` — except non-finite
/// doubles, which are written as `.inf`/`.nan` but have no JSON form and are rejected
/// on the way back in.
///
/// Long lines are never folded, so a rewritten object diffs line by line against its
/// source.
public struct YAMLWriter: Sendable {
  public init() {}

  /// Appends `value` as one document, without a `---` line, to `output`.
  public func write(_ value: Value, to output: inout [UInt8]) {
    var emitter = YAMLEmitter(output: output)
    output = []
    emitter.writeDocument(value)
    output = emitter.output
  }

  /// Appends `documents` to `output`, with `---` lines between them.
  public func write(documents: some Sequence<Value>, to output: inout [UInt8]) {
    var emitter = YAMLEmitter(output: output)
    output = []
    var isFirst = true
    for document in documents {
      if !isFirst { emitter.output.append(contentsOf: "---\n".utf8) }
      isFirst = false
      emitter.writeDocument(document)
    }
    output = emitter.output
  }

  /// `value` as one YAML document.
  public func serialize(_ value: Value) -> String {
    var output: [UInt8] = []
    write(value, to: &output)
    return String(decoding: output, as: UTF8.self)
  }

  /// `documents` as a multi-document stream separated by `---` lines.
  public func serialize(documents: some Sequence<Value>) -> String {
    var output: [UInt8] = []
    write(documents: documents, to: &output)
    return String(decoding: output, as: UTF8.self)
  }
}

extension YAML {
  /// `value` as one YAML document; see ``YAMLWriter`` for the style.
  public static func serialize(_ value: Value) -> String {
    YAMLWriter().serialize(value)
  }

  /// `documents` as a YAML stream with `---` between documents.
  public static func serializeAll(_ documents: some Sequence<Value>) -> String {
    YAMLWriter().serialize(documents: documents)
  }
}

/// The byte-level layout; one per write call.
struct YAMLEmitter {
  var output: [UInt8]

  mutating func writeDocument(_ value: Value) {
    switch value {
    case .object(let object) where !object.isEmpty:
      writeMapping(object, indent: 0, firstLineIndented: false)
    case .array(let items) where !items.isEmpty:
      writeSequence(items, indent: 0, firstLineIndented: false)
    default:
      writeScalar(value, blockIndent: 2)
      output.append(UInt8(ascii: "\n"))
    }
  }

  /// `firstLineIndented` is true when the caller already wrote `- ` (or `: `) and the
  /// first key goes on that line.
  private mutating func writeMapping(_ object: ObjectValue, indent: Int, firstLineIndented: Bool) {
    var needsIndent = !firstLineIndented
    for member in object.members {
      if needsIndent { writeSpaces(indent) }
      needsIndent = true
      if writeKey(member.key) {
        // `? key` form: the value follows on its own `: ` line.
        output.append(UInt8(ascii: "\n"))
        writeSpaces(indent)
        output.append(contentsOf: ": ".utf8)
        writeCompact(member.value, indent: indent + 2)
        continue
      }
      switch member.value {
      case .object(let child) where !child.isEmpty:
        output.append(contentsOf: ":\n".utf8)
        writeMapping(child, indent: indent + 2, firstLineIndented: false)
      case .array(let items) where !items.isEmpty:
        output.append(contentsOf: ":\n".utf8)
        writeSequence(items, indent: indent, firstLineIndented: false)
      default:
        output.append(contentsOf: ": ".utf8)
        writeScalar(member.value, blockIndent: indent + 2)
        output.append(UInt8(ascii: "\n"))
      }
    }
  }

  private mutating func writeSequence(_ items: [Value], indent: Int, firstLineIndented: Bool) {
    var needsIndent = !firstLineIndented
    for item in items {
      if needsIndent { writeSpaces(indent) }
      needsIndent = true
      output.append(contentsOf: "- ".utf8)
      writeCompact(item, indent: indent + 2)
    }
  }

  /// A node that starts on a line already holding `- ` or `: `.
  private mutating func writeCompact(_ value: Value, indent: Int) {
    switch value {
    case .object(let object) where !object.isEmpty:
      writeMapping(object, indent: indent, firstLineIndented: true)
    case .array(let items) where !items.isEmpty:
      writeSequence(items, indent: indent, firstLineIndented: true)
    default:
      writeScalar(value, blockIndent: indent)
      output.append(UInt8(ascii: "\n"))
    }
  }

  /// Writes `key` and reports whether it needed the explicit `? key` form: libyaml
  /// only looks 1024 characters ahead for the `:` of an implicit key.
  private mutating func writeKey(_ key: String) -> Bool {
    var key = key
    return key.withUTF8 { text in
      let isLong = text.count > 1000
      if isLong { output.append(contentsOf: "? ".utf8) }
      switch YAMLScalarStyle.choose(for: text, isKey: true) {
      case .plain: output.append(contentsOf: text)
      case .singleQuoted: writeSingleQuoted(text)
      case .doubleQuoted, .literal: writeDoubleQuoted(text)
      }
      return isLong
    }
  }

  /// Scalars and empty collections, without the final line break. Block scalar content
  /// goes at `blockIndent`.
  private mutating func writeScalar(_ value: Value, blockIndent: Int) {
    switch value {
    case .null:
      output.append(contentsOf: "null".utf8)
    case .bool(let flag):
      output.append(contentsOf: (flag ? "true" : "false").utf8)
    case .int(let number):
      writeInteger(number)
    case .double(let number):
      writeDouble(number)
    case .string(var text):
      text.withUTF8 { writeString($0, blockIndent: blockIndent) }
    case .array:
      output.append(contentsOf: "[]".utf8)
    case .object:
      output.append(contentsOf: "{}".utf8)
    }
  }

  private mutating func writeString(_ text: UnsafeBufferPointer<UInt8>, blockIndent: Int) {
    switch YAMLScalarStyle.choose(for: text, isKey: false) {
    case .plain: output.append(contentsOf: text)
    case .singleQuoted: writeSingleQuoted(text)
    case .doubleQuoted: writeDoubleQuoted(text)
    case .literal: writeLiteral(text, indent: blockIndent)
    }
  }

  private mutating func writeInteger(_ number: Int64) {
    if number >= 0 && number < 10 {
      output.append(UInt8(ascii: "0") + UInt8(number))
      return
    }
    // 20 digits and a sign fit in 24 bytes; building right to left avoids a String.
    var magnitude = number.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &digits) { buffer in
      var position = buffer.count
      repeat {
        position -= 1
        buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      if number < 0 {
        position -= 1
        buffer[position] = UInt8(ascii: "-")
      }
      output.append(contentsOf: buffer[position...])
    }
  }

  /// Swift's shortest round-trip form always has a `.` or an exponent (`1000.0`,
  /// `1e+16`), so it reads back as a float, not an integer.
  private mutating func writeDouble(_ number: Double) {
    if number.isNaN {
      output.append(contentsOf: ".nan".utf8)
    } else if number.isInfinite {
      output.append(contentsOf: (number < 0 ? "-.inf" : ".inf").utf8)
    } else {
      output.append(contentsOf: number.description.utf8)
    }
  }

  private mutating func writeSingleQuoted(_ text: UnsafeBufferPointer<UInt8>) {
    output.append(UInt8(ascii: "'"))
    for byte in text {
      if byte == UInt8(ascii: "'") { output.append(byte) }
      output.append(byte)
    }
    output.append(UInt8(ascii: "'"))
  }

  private mutating func writeDoubleQuoted(_ text: UnsafeBufferPointer<UInt8>) {
    output.append(UInt8(ascii: "\""))
    var index = 0
    while index < text.count {
      let byte = text[index]
      index += 1
      switch byte {
      case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
      case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
      case UInt8(ascii: "\n"): output.append(contentsOf: "\\n".utf8)
      case UInt8(ascii: "\t"): output.append(contentsOf: "\\t".utf8)
      case UInt8(ascii: "\r"): output.append(contentsOf: "\\r".utf8)
      case 0: output.append(contentsOf: "\\0".utf8)
      case 0x1B: output.append(contentsOf: "\\e".utf8)
      case 0..<0x20, 0x7F: writeHexEscape(UInt32(byte), digits: 2, prefix: "\\x")
      case 0xC2 where text[index] < 0xA0:
        writeHexEscape(UInt32(text[index]), digits: 2, prefix: "\\x")
        index += 1
      case 0xE2 where text[index] == 0x80 && (text[index + 1] == 0xA8 || text[index + 1] == 0xA9):
        output.append(contentsOf: (text[index + 1] == 0xA8 ? "\\L" : "\\P").utf8)
        index += 2
      case 0xEF
      where (text[index] == 0xBB && text[index + 1] == 0xBF)
        || (text[index] == 0xBF && text[index + 1] >= 0xBE):
        let scalar = 0xF000 | (UInt32(text[index]) & 0x3F) << 6 | UInt32(text[index + 1]) & 0x3F
        writeHexEscape(scalar, digits: 4, prefix: "\\u")
        index += 2
      default:
        output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }

  private mutating func writeHexEscape(_ value: UInt32, digits: Int, prefix: String) {
    output.append(contentsOf: prefix.utf8)
    let hex = Array("0123456789ABCDEF".utf8)
    for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
      output.append(hex[Int((value >> UInt32(shift)) & 0xF)])
    }
  }

  /// `|`, `|-` or `|+` by the number of trailing line breaks, then each line at `indent`.
  private mutating func writeLiteral(_ text: UnsafeBufferPointer<UInt8>, indent: Int) {
    var trailingBreaks = 0
    while trailingBreaks < text.count, text[text.count - 1 - trailingBreaks] == 0x0A {
      trailingBreaks += 1
    }
    switch trailingBreaks {
    case 0: output.append(contentsOf: "|-\n".utf8)
    case 1: output.append(contentsOf: "|\n".utf8)
    default: output.append(contentsOf: "|+\n".utf8)
    }
    var lineStart = 0
    for index in 0..<text.count where text[index] == UInt8(ascii: "\n") {
      if index > lineStart {
        writeSpaces(indent)
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[lineStart..<index]))
      }
      output.append(UInt8(ascii: "\n"))
      lineStart = index + 1
    }
    if lineStart < text.count {
      writeSpaces(indent)
      output.append(contentsOf: UnsafeBufferPointer(rebasing: text[lineStart...]))
    } else {
      // The caller ends every scalar with a line break; the text already did.
      output.removeLast()
    }
  }

  private mutating func writeSpaces(_ count: Int) {
    output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
  }
}
