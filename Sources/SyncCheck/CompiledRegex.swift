/// A user's regular expression, compiled once and shared by every object it is tried on.
///
/// Syntax is Swift Regex's (Perl/PCRE-like: classes, groups, `(?<name>…)`, lookahead).
/// Patterns that select objects match the whole text; `replace` rewrites every match.
public struct CompiledRegex: @unchecked Sendable {
  // Regex<AnyRegexOutput> is not Sendable, but it is immutable after compilation and
  // matching does not mutate it, so sharing it across tasks is safe.
  private let regex: Regex<AnyRegexOutput>
  public let pattern: String

  /// Errors carry the engine's explanation.
  public struct SyntaxError: Error, Sendable {
    public var message: String
  }

  public init(_ pattern: String) throws(SyntaxError) {
    self.pattern = pattern
    do {
      regex = try Regex(pattern)
    } catch {
      throw SyntaxError(message: "\(error)")
    }
  }

  /// Whether the whole of `text` matches.
  public func matchesWhole(_ text: String) -> Bool {
    (try? regex.wholeMatch(in: text)) != nil
  }

  /// Replaces every match in `text` with `template`, where `$1`…`$9` and `${name}` insert
  /// capture groups and `$$` a dollar sign.
  public func replacingMatches(in text: String, with template: String) -> String {
    var result = ""
    var cursor = text.startIndex
    for match in text.matches(of: regex) {
      result += text[cursor..<match.range.lowerBound]
      result += Self.expand(template, match: match)
      cursor = match.range.upperBound
      if match.range.isEmpty {
        // An empty match would loop forever: copy one character and move on.
        guard cursor < text.endIndex else { break }
        result.append(text[cursor])
        cursor = text.index(after: cursor)
      }
    }
    result += text[cursor...]
    return result
  }

  private static func expand(_ template: String, match: Regex<AnyRegexOutput>.Match) -> String {
    var output = ""
    let characters = Array(template)
    var index = 0
    while index < characters.count {
      let character = characters[index]
      guard character == "$", index + 1 < characters.count else {
        output.append(character)
        index += 1
        continue
      }
      let next = characters[index + 1]
      if next == "$" {
        output.append("$")
        index += 2
      } else if let digit = next.wholeNumberValue {
        if digit < match.output.count, let substring = match.output[digit].substring {
          output += substring
        }
        index += 2
      } else if next == "{", let close = characters[(index + 2)...].firstIndex(of: "}") {
        let name = String(characters[(index + 2)..<close])
        if let number = Int(name) {
          if number < match.output.count, let substring = match.output[number].substring {
            output += substring
          }
        } else if let substring = match.output[name]?.substring {
          output += substring
        }
        index = close + 1
      } else {
        output.append(character)
        index += 1
      }
    }
    return output
  }
}
