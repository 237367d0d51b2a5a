import SyncSyntax

/// What an `image` edit does to one part.
public enum ImageChange: Sendable {
  /// `set PART = VALUE`.
  case set(ImagePart, Operand)
  /// `append PART VALUE`: the text is added at the end of the part (an empty part becomes
  /// the text).
  case append(ImagePart, Operand)
  /// `remove PART`.
  case remove(ImagePart)
}

extension ImageChange {
  /// The value the change reads, if any.
  public var part: ImagePart {
    switch self {
    case .set(let part, _), .append(let part, _), .remove(let part): return part
    }
  }

  public var operand: Operand? {
    switch self {
    case .set(_, let operand), .append(_, let operand): return operand
    case .remove: return nil
    }
  }
}
