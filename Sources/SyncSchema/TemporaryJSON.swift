// TEMPORARY: stands in for SyncValue's JSON reader until the `json` branch lands.
import SyncValue

struct TemporaryJSONError: Error { var offset: Int }

enum JSON {
  static func parse(_ text: String) throws -> Value {
    var bytes = Array(text.utf8)
    bytes.append(0)
    var reader = Reader(bytes: bytes)
    reader.skip()
    let value = try reader.value()
    return value
  }

  struct Reader {
    let bytes: [UInt8]
    var at = 0

    mutating func skip() {
      while bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 {
        at += 1
      }
    }

    mutating func value() throws -> Value {
      switch bytes[at] {
      case UInt8(ascii: "{"):
        at += 1
        skip()
        var members: [Member] = []
        if bytes[at] == UInt8(ascii: "}") {
          at += 1
          return .object(ObjectValue(members: members))
        }
        while true {
          skip()
          let key = try string()
          skip()
          guard bytes[at] == UInt8(ascii: ":") else { throw TemporaryJSONError(offset: at) }
          at += 1
          skip()
          members.append(Member(key: key, value: try value()))
          skip()
          if bytes[at] == UInt8(ascii: ",") {
            at += 1
            continue
          }
          guard bytes[at] == UInt8(ascii: "}") else { throw TemporaryJSONError(offset: at) }
          at += 1
          return .object(ObjectValue(members: members))
        }
      case UInt8(ascii: "["):
        at += 1
        skip()
        var items: [Value] = []
        if bytes[at] == UInt8(ascii: "]") {
          at += 1
          return .array(items)
        }
        while true {
          skip()
          items.append(try value())
          skip()
          if bytes[at] == UInt8(ascii: ",") {
            at += 1
            continue
          }
          guard bytes[at] == UInt8(ascii: "]") else { throw TemporaryJSONError(offset: at) }
          at += 1
          return .array(items)
        }
      case UInt8(ascii: "\""):
        return .string(try string())
      case UInt8(ascii: "t"):
        at += 4
        return .bool(true)
      case UInt8(ascii: "f"):
        at += 5
        return .bool(false)
      case UInt8(ascii: "n"):
        at += 4
        return .null
      default:
        let start = at
        while [UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
          UInt8(ascii: "E")].contains(bytes[at]) || (bytes[at] >= 0x30 && bytes[at] <= 0x39)
        {
          at += 1
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if let int = Int64(text) { return .int(int) }
        guard let double = Double(text) else { throw TemporaryJSONError(offset: start) }
        return .double(double)
      }
    }

    mutating func string() throws -> String {
      guard bytes[at] == UInt8(ascii: "\"") else { throw TemporaryJSONError(offset: at) }
      at += 1
      var out: [UInt8] = []
      while bytes[at] != UInt8(ascii: "\"") {
        if bytes[at] == 0 { throw TemporaryJSONError(offset: at) }
        if bytes[at] == UInt8(ascii: "\\") {
          at += 1
          switch bytes[at] {
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "u"):
            let hex = String(decoding: bytes[(at + 1)...(at + 4)], as: UTF8.self)
            at += 4
            let scalar = Unicode.Scalar(UInt32(hex, radix: 16) ?? 0xFFFD) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
          default: out.append(bytes[at])
          }
          at += 1
        } else {
          out.append(bytes[at])
          at += 1
        }
      }
      at += 1
      return String(decoding: out, as: UTF8.self)
    }
  }
}
