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
    return Glob.match(pieces, Array(text.unicodeScalars))
  }

  /// Matches in O(pattern × text) at worst, never exponentially: on a mismatch only the
  /// last `*` is moved on (taking one more character), since what an earlier `*` took can
  /// always be given to the later one instead.
  private static func match(_ pieces: [Piece], _ text: [Unicode.Scalar]) -> Bool {
    var piece = 0
    // Inside a literal piece, the index of the next scalar to compare.
    var offset = 0
    var position = 0
    // Where to resume after the last `*`: its piece, and the text it has consumed so far.
    var lastStar: (piece: Int, position: Int)?
    while position < text.count {
      if piece < pieces.count {
        switch pieces[piece] {
        case .literal(let literal):
          if literal[offset] == text[position] {
            offset += 1
            position += 1
            if offset == literal.count {
              piece += 1
              offset = 0
            }
            continue
          }
        case .anyOne:
          piece += 1
          position += 1
          continue
        case .set(let negated, let ranges):
          if ranges.contains(where: { $0.contains(text[position]) }) != negated {
            piece += 1
            position += 1
            continue
          }
        case .anyRun:
          lastStar = (piece, position)
          piece += 1
          continue
        }
      }
      // A mismatch, or pattern used up before the text: let the last `*` take one more.
      guard let star = lastStar else { return false }
      lastStar = (star.piece, star.position + 1)
      piece = star.piece + 1
      offset = 0
      position = star.position + 1
    }
    // The text is used up; what is left of the pattern must match nothing.
    guard offset == 0 else { return false }
    return pieces[piece...].allSatisfy { $0 == .anyRun }
  }
}
