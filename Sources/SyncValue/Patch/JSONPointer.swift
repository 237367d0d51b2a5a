/// An RFC 6901 JSON Pointer: `/spec/template/metadata/annotations/a~1b`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
  /// The unescaped reference tokens (`~1` → `/`, `~0` → `~`).
  public let tokens: [String]
  public let description: String

  public struct SyntaxError: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  public init(_ text: String) throws(SyntaxError) {
    description = text
    guard !text.isEmpty else {
      tokens = []
      return
    }
    guard text.hasPrefix("/") else {
      throw SyntaxError(description: "a pointer must be empty or start with `/`")
    }
    var parsed: [String] = []
    for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
      var token = ""
      var iterator = raw.makeIterator()
      while let character = iterator.next() {
        guard character == "~" else {
          token.append(character)
          continue
        }
        switch iterator.next() {
        case "0": token.append("~")
        case "1": token.append("/")
        default: throw SyntaxError(description: "`~` must be followed by `0` or `1`")
        }
      }
      parsed.append(token)
    }
    tokens = parsed
  }

  /// The pointer to the value that holds `pointer`'s target (the root's is the root).
  init(parentOf pointer: JSONPointer) {
    tokens = Array(pointer.tokens.dropLast())
    var text = ""
    for token in tokens {
      text += "/"
      for character in token {
        switch character {
        case "~": text += "~0"
        case "/": text += "~1"
        default: text.append(character)
        }
      }
    }
    description = text
  }

  /// The array index a token names, per RFC 6901: digits without leading zeros.
  static func index(_ token: String) -> Int? {
    guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    if token.count > 1 && token.hasPrefix("0") { return nil }
    return Int(token)
  }
}
