import CRE2

/// A user's regular expression, compiled once and shared by every object it is tried on.
///
/// The engine is RE2, with RE2's syntax (Go's `regexp`, Kubernetes CEL's `matches`):
/// matching takes time linear in the text whatever the pattern, so a rule can never hang
/// on a value that someone with access to a production namespace wrote. Constructs that
/// need backtracking (backreferences, lookahead, lookbehind, possessive quantifiers) are
/// refused when the pattern is compiled. Named groups may be written `(?P<name>…)` or
/// `(?<name>…)`. Patterns that select objects match the whole text; `replace` rewrites
/// every match.
public struct CompiledRegex: Sendable {
  private let engine: Engine
  public let pattern: String

  /// Errors carry the engine's explanation.
  public struct SyntaxError: Error, Sendable {
    public var message: String
  }

  public init(_ pattern: String) throws(SyntaxError) {
    self.pattern = pattern
    let translated = Self.translatingNamedGroups(pattern)
    var error: UnsafeMutablePointer<CChar>?
    let compiled = translated.utf8CString.withUnsafeBufferPointer { buffer in
      syncrules_re2_compile(buffer.baseAddress, buffer.count - 1, &error)
    }
    guard let compiled else {
      let reason = error.map { String(cString: $0) } ?? "the pattern does not compile"
      syncrules_re2_free_error(error)
      throw SyntaxError(message: Self.explain(reason))
    }
    engine = Engine(compiled)
  }

  /// Whether the whole of `text` matches.
  public func matchesWhole(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      syncrules_re2_match(
        engine.regex, bytes.baseAddress, bytes.count, 0, Int32(syncrules_re2_anchor_both.rawValue),
        nil, 0)
    }
  }

  /// The byte offsets (in `text.utf8`) of the first match, if any.
  public func firstMatch(in text: String) -> Range<Int>? {
    var text = text
    return text.withUTF8 { bytes in
      var groups = [Int](repeating: -1, count: 2)
      let found = groups.withUnsafeMutableBufferPointer { slots in
        syncrules_re2_match(
          engine.regex, bytes.baseAddress, bytes.count, 0,
          Int32(syncrules_re2_unanchored.rawValue), slots.baseAddress, 1)
      }
      return found ? groups[0]..<groups[1] : nil
    }
  }

  /// Replaces every match in `text` with `template`, where `$1`…`$9` and `${name}` insert
  /// capture groups and `$$` a dollar sign.
  public func replacingMatches(in text: String, with template: String) -> String {
    var text = text
    return text.withUTF8 { bytes in
      let slots = Int(syncrules_re2_group_count(engine.regex)) + 1
      var groups = [Int](repeating: -1, count: 2 * slots)
      var result: [UInt8] = []
      var cursor = 0
      var searchFrom = 0
      while searchFrom <= bytes.count {
        let found = groups.withUnsafeMutableBufferPointer { buffer in
          syncrules_re2_match(
            engine.regex, bytes.baseAddress, bytes.count, searchFrom,
            Int32(syncrules_re2_unanchored.rawValue), buffer.baseAddress, Int32(slots))
        }
        guard found else { break }
        let (start, end) = (groups[0], groups[1])
        result += bytes[cursor..<start]
        expand(template, groups: groups, in: bytes, into: &result)
        cursor = end
        if start == end {
          // An empty match would be found again: copy one character and move on.
          guard end < bytes.count else { break }
          let next = Self.nextCharacter(in: bytes, after: end)
          result += bytes[end..<next]
          cursor = next
        }
        searchFrom = cursor
      }
      result += bytes[cursor...]
      return String(decoding: result, as: UTF8.self)
    }
  }

  private func expand(
    _ template: String, groups: [Int], in text: UnsafeBufferPointer<UInt8>,
    into output: inout [UInt8]
  ) {
    func group(_ number: Int) {
      guard number >= 0, 2 * number + 1 < groups.count, groups[2 * number] >= 0 else { return }
      output += text[groups[2 * number]..<groups[2 * number + 1]]
    }
    let characters = Array(template.utf8)
    var index = 0
    while index < characters.count {
      let character = characters[index]
      guard character == UInt8(ascii: "$"), index + 1 < characters.count else {
        output.append(character)
        index += 1
        continue
      }
      let next = characters[index + 1]
      if next == UInt8(ascii: "$") {
        output.append(next)
        index += 2
      } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) {
        group(Int(next - UInt8(ascii: "0")))
        index += 2
      } else if next == UInt8(ascii: "{"),
        let close = characters[(index + 2)...].firstIndex(of: UInt8(ascii: "}"))
      {
        let name = String(decoding: characters[(index + 2)..<close], as: UTF8.self)
        if let number = Int(name) {
          group(number)
        } else {
          group(Int(syncrules_re2_group_named(engine.regex, name, name.utf8.count)))
        }
        index = close + 1
      } else {
        output.append(character)
        index += 1
      }
    }
  }

  /// The offset after the UTF-8 character that starts at `offset`.
  private static func nextCharacter(in bytes: UnsafeBufferPointer<UInt8>, after offset: Int)
    -> Int
  {
    var next = offset + 1
    while next < bytes.count, bytes[next] & 0b1100_0000 == 0b1000_0000 { next += 1 }
    return next
  }

  /// `(?<name>` is how Perl, PCRE, JavaScript and newer RE2 write a named group; the RE2
  /// built here knows only `(?P<name>`. Lookbehind (`(?<=`, `(?<!`) is left for RE2 to
  /// refuse.
  static func translatingNamedGroups(_ pattern: String) -> String {
    var output: [UInt8] = []
    let bytes = Array(pattern.utf8)
    var index = 0
    var inClass = false
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
        output += bytes[index...index + 1]
        index += 2
        continue
      }
      if inClass {
        if byte == UInt8(ascii: "]") { inClass = false }
      } else if byte == UInt8(ascii: "[") {
        inClass = true
        // `[]…]` and `[^]…]`: a `]` first in a class is a member.
        output.append(byte)
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "^") {
          output.append(bytes[index])
          index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
          output.append(bytes[index])
          index += 1
        }
        continue
      } else if byte == UInt8(ascii: "("), index + 3 < bytes.count,
        bytes[index + 1] == UInt8(ascii: "?"), bytes[index + 2] == UInt8(ascii: "<"),
        bytes[index + 3] != UInt8(ascii: "="), bytes[index + 3] != UInt8(ascii: "!")
      {
        output += Array("(?P<".utf8)
        index += 3
        continue
      }
      output.append(byte)
      index += 1
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// RE2's message, with what to write instead for constructs it does not have.
  private static func explain(_ reason: String) -> String {
    let lowered = reason.lowercased()
    if lowered.contains("(?=") || lowered.contains("(?!") || lowered.contains("(?<") {
      return reason + " (lookahead and lookbehind are not supported: RE2 syntax, as in Go "
        + "and Kubernetes CEL, matches in linear time)"
    }
    if lowered.contains("invalid escape sequence: \\") {
      let escape = reason.split(separator: ":").last.map(String.init) ?? ""
      if escape.dropFirst(2).allSatisfy(\.isNumber), escape.count >= 3 {
        return reason + " (backreferences are not supported: RE2 syntax, as in Go and "
          + "Kubernetes CEL, matches in linear time)"
      }
    }
    if lowered.contains("bad repetition operator: *+") || lowered.contains("++")
      || lowered.contains("?+")
    {
      return reason + " (possessive quantifiers are not supported: RE2 syntax)"
    }
    return reason
  }
}

/// Owns the compiled RE2 object; matching only reads it, so it is shared freely.
private final class Engine: @unchecked Sendable {
  let regex: OpaquePointer

  init(_ regex: OpaquePointer) {
    self.regex = regex
  }

  deinit {
    syncrules_re2_delete(regex)
  }
}
