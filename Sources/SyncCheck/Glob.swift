/// A shell-style glob compiled once: `*` any run, `?` one character, `[abc]`/`[a-z]`/`[!a]`
/// a class. Matches whole strings over Unicode scalars.
public struct Glob: Sendable, Hashable {
  enum Piece: Sendable, Hashable {
    case literal([Unicode.Scalar])
    case anyRun
    case anyOne
    case set(negated: Bool, ranges: [ClosedRange<Unicode.Scalar>])
  }

  public let pattern: String
  let pieces: [Piece]

  /// Errors a glob can have, in words a user can act on.
  public struct SyntaxError: Error, Sendable {
    public var message: String
  }

  public init(_ pattern: String) throws(SyntaxError) {
    self.pattern = pattern
    var pieces: [Piece] = []
    var literal: [Unicode.Scalar] = []
    let scalars = Array(pattern.unicodeScalars)
    var index = 0
    func flush() {
      if !literal.isEmpty { pieces.append(.literal(literal)) }
      literal = []
    }
    while index < scalars.count {
      let scalar = scalars[index]
      switch scalar {
      case "*":
        flush()
        if pieces.last != .anyRun { pieces.append(.anyRun) }
        index += 1
      case "?":
        flush()
        pieces.append(.anyOne)
        index += 1
      case "[":
        flush()
        var cursor = index + 1
        var negated = false
        if cursor < scalars.count, scalars[cursor] == "!" || scalars[cursor] == "^" {
          negated = true
          cursor += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var closed = false
        while cursor < scalars.count {
          let member = scalars[cursor]
          if member == "]" && !ranges.isEmpty {
            closed = true
            break
          }
          if cursor + 2 < scalars.count, scalars[cursor + 1] == "-", scalars[cursor + 2] != "]" {
            let upper = scalars[cursor + 2]
            guard member <= upper else {
              throw SyntaxError(message: "character range `\(member)-\(upper)` is reversed")
            }
            ranges.append(member...upper)
            cursor += 3
          } else {
            ranges.append(member...member)
            cursor += 1
          }
        }
        guard closed else {
          throw SyntaxError(message: "`[` at position \(index + 1) has no closing `]`")
        }
        pieces.append(.set(negated: negated, ranges: ranges))
        index = cursor + 1
      default:
        literal.append(scalar)
        index += 1
      }
    }
    flush()
    self.pieces = pieces
  }

  /// Whether the pattern contains glob syntax at all.
  public static func isGlob(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0 == "*" || $0 == "?" || $0 == "[" }
  }

  public func matches(_ text: String) -> Bool {
    // Namespace and name globs are nearly always `prefix*`, `*suffix` or `*part*`; they
    // run per object, so they skip the general matcher and its scalar array.
    switch pieces.count {
    case 1:
      if case .literal(let literal) = pieces[0] {
        return text.unicodeScalars.elementsEqual(literal)
      }
    case 2:
      if case .literal(let literal) = pieces[0], case .anyRun = pieces[1] {
        return text.unicodeScalars.starts(with: literal)
      }
      if case .anyRun = pieces[0], case .literal(let literal) = pieces[1] {
        return text.unicodeScalars.reversed().starts(with: literal.reversed())
      }
    default:
      break
    }
    let scalars = Array(text.unicodeScalars)
    return Glob.match(pieces[...], scalars[...])
  }

  private static func match(_ pieces: ArraySlice<Piece>, _ text: ArraySlice<Unicode.Scalar>)
    -> Bool
  {
    guard let first = pieces.first else { return text.isEmpty }
    let rest = pieces.dropFirst()
    switch first {
    case .literal(let literal):
      guard text.starts(with: literal) else { return false }
      return match(rest, text.dropFirst(literal.count))
    case .anyOne:
      guard !text.isEmpty else { return false }
      return match(rest, text.dropFirst())
    case .set(let negated, let ranges):
      guard let scalar = text.first else { return false }
      guard ranges.contains(where: { $0.contains(scalar) }) != negated else { return false }
      return match(rest, text.dropFirst())
    case .anyRun:
      if rest.isEmpty { return true }
      var start = text.startIndex
      while start <= text.endIndex {
        if match(rest, text[start...]) { return true }
        start += 1
      }
      return false
    }
  }
}
