import SyncValue

/// One statement inside a rule or group block.
public struct Edit: Sendable, Hashable {
  public indirect enum Form: Sendable, Hashable {
    /// `set path = value`: creates missing parent maps, replaces what is there.
    case set(Path, Expression)
    /// `default path = value`: only where the path is absent.
    case defaultValue(Path, Expression)
    /// `remove path, …`: absent paths are fine.
    case remove([Path])
    /// `append path value [if absent]`, or `prepend …`.
    case append(Path, Expression, ifAbsent: Bool, atStart: Bool)
    /// `merge path { … }`: maps merged key by key, `null` deletes a key.
    case merge(Path, Expression)
    /// `replace path, … MATCH -> replacement`.
    case replace([Path], TextMatch, Expression)
    /// `image path, … set registry = "…"`: edits a part of the container image
    /// references at the paths, parsed and joined as container runtimes do.
    case image([Path], ImageEdit)
    /// `drop`: do not sync this object.
    case drop
    /// `patch [ … ] [if tests pass]`: RFC 6902 operations, as a list literal or YAML.
    /// With `if tests pass`, a failing `test` operation makes the patch do nothing (the
    /// object goes on) instead of failing the object.
    case patch(Expression, ifTestsPass: Bool)
    /// `use NAME`: the edits of a group.
    case use(Identifier)
    /// `when condition { … } else …`.
    case when(Condition, Block, otherwise: Block?)
    /// `patch strategic { … }`: a Kubernetes strategic merge patch of the whole object
    /// (lists merge by the schema's patch merge keys; `$patch`, `$retainKeys`,
    /// `$deleteFromPrimitiveList/…` and `$setElementOrder/…` directives).
    case strategicPatch(Expression)
    /// `edit PATH as yaml { … }`: the string at the path holds a JSON or YAML document;
    /// the block's edits apply to that document (their paths start at its root), and it is
    /// written back in the same format.
    case document(Path, DocumentFormat, Block)
    /// `dependencies [configmaps, secrets, serviceaccounts, persistentvolumeclaims]`:
    /// `syncrules sync` also syncs the objects of these kinds the pod template (or an
    /// Ingress's TLS) references. Empty means all four.
    case dependencies([Identifier])
  }

  public var form: Form
  /// The keyword that starts the edit (`set`, `append` …).
  public var keywordRange: SourceRange
  public var range: SourceRange

  public init(_ form: Form, keywordRange: SourceRange, range: SourceRange) {
    self.form = form
    self.keywordRange = keywordRange
    self.range = range
  }
}

extension Edit {
  /// The kinds `dependencies` can follow, as written in rules.
  public static let dependencyKinds = [
    "configmaps", "secrets", "serviceaccounts", "persistentvolumeclaims",
  ]
}

/// What `replace` looks for in a string.
public struct TextMatch: Sendable, Hashable {
  public enum Form: Sendable, Hashable {
    /// Every occurrence of the text.
    case substring(String)
    case prefix(String)
    case suffix(String)
    /// Every match; the replacement may use `$1`, `${name}`.
    case regex(String)
  }

  public var form: Form
  public var range: SourceRange

  public init(_ form: Form, range: SourceRange) {
    self.form = form
    self.range = range
  }
}

/// A path into an object: `spec.template.spec.containers[name: app].image`.
public struct Path: Sendable, Hashable, CustomStringConvertible {
  public var components: [PathComponent]
  public var range: SourceRange

  public init(components: [PathComponent], range: SourceRange) {
    self.components = components
    self.range = range
  }

  /// The path in the language's own notation; the root (an empty path, as in
  /// `merge { … }`) is `.`.
  public var description: String {
    if components.isEmpty { return "." }
    var text = ""
    for component in components {
      switch component.form {
      case .field(let name):
        if !text.isEmpty { text += "." }
        text += PathComponent.needsQuotes(name) ? "\"\(name)\"" : name
      case .anyField:
        text += text.isEmpty ? "*" : ".*"
      case .index(let index): text += "[\(index)]"
      case .anyElement: text += "[*]"
      case .keyed(let key, let value):
        text += "[\(key): \(value.map(PathComponent.render) ?? "*")]"
      case .equal(let value):
        text += "[= \(PathComponent.renderElement(value))]"
      }
    }
    return text
  }
}

/// One step of a ``Path``.
public struct PathComponent: Sendable, Hashable {
  public enum Form: Sendable, Hashable {
    /// A map key.
    case field(String)
    /// `*`: every key of a map.
    case anyField
    /// `[2]`; negative counts from the end (`[-1]` is the last element).
    case index(Int)
    /// `[*]`: every element of a list.
    case anyElement
    /// `[name: app]`: the elements whose `key` equals `value`; `nil` value is `[name: *]`.
    case keyed(key: String, value: Value?)
    /// `[= "--debug"]`: the elements equal to a scalar (lists of strings or numbers).
    case equal(Value)
  }

  public var form: Form
  public var range: SourceRange

  public init(_ form: Form, range: SourceRange) {
    self.form = form
    self.range = range
  }

  static func needsQuotes(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !name.isEmpty else { return true }
    if first == "-" { return true }
    return name.unicodeScalars.contains {
      !(("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || $0 == "_" || $0 == "-")
    }
  }

  /// A value inside `[= …]`: strings are always quoted, so `[= "true"]` stays a string.
  static func renderElement(_ value: Value) -> String {
    if case .string(let text) = value {
      var escaped = ""
      for character in text {
        if character == "\\" || character == "\"" { escaped.append("\\") }
        escaped.append(character)
      }
      return "\"\(escaped)\""
    }
    return render(value)
  }

  static func render(_ value: Value) -> String {
    switch value {
    case .string(let text): return needsQuotes(text) ? "\"\(text)\"" : text
    case .int(let number): return String(number)
    case .double(let number): return String(number)
    case .bool(let flag): return String(flag)
    default: return "null"
    }
  }
}

/// A value on the right of an edit or inside a condition.
public struct Expression: Sendable, Hashable {
  public indirect enum Form: Sendable, Hashable {
    /// A constant (numbers, strings without interpolation, true/false/null).
    case literal(Value)
    case list([Expression])
    case map([MapEntry])
    /// A bare path: reads the source object.
    case path(Path)
    /// `"…${path}…"`.
    case interpolated([InterpolationPart])
    /// `yaml """ … """`, parsed by the checker.
    case yaml(String)
  }

  public var form: Form
  public var range: SourceRange

  public init(_ form: Form, range: SourceRange) {
    self.form = form
    self.range = range
  }
}

/// `key: value` inside a map literal.
public struct MapEntry: Sendable, Hashable {
  public var key: String
  public var keyRange: SourceRange
  public var value: Expression

  public init(key: String, keyRange: SourceRange, value: Expression) {
    self.key = key
    self.keyRange = keyRange
    self.value = value
  }
}

/// A piece of an interpolated string.
public enum InterpolationPart: Sendable, Hashable {
  case text(String)
  case path(Path)
}

/// A boolean test over the source object.
public struct Condition: Sendable, Hashable {
  public indirect enum Form: Sendable, Hashable {
    case and(Condition, Condition)
    case or(Condition, Condition)
    case not(Condition)
    case exists(Path)
    case missing(Path)
    case compare(Expression, ComparisonOperator, Expression)
    case inList(Expression, [Expression], negated: Bool)
    /// The regex must match the whole string.
    case matches(Expression, TextMatch)
  }

  public var form: Form
  public var range: SourceRange

  public init(_ form: Form, range: SourceRange) {
    self.form = form
    self.range = range
  }
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
public enum ComparisonOperator: String, Sendable, Hashable {
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
}

/// The format of a document held in a string (`edit PATH as json|yaml { … }`).
public enum DocumentFormat: String, Sendable, Hashable {
  case json
  case yaml
}

/// A part of a container image reference: `registry.example.com:5000/team/app:v1@sha256:…`
/// is registry `registry.example.com:5000`, repository `team/app`, tag `v1`, digest
/// `sha256:…`.
public enum ImagePart: String, Sendable, Hashable, CaseIterable {
  case registry
  case repository
  case tag
  case digest
}

/// What an `image PATH, … CHANGE` edit does.
public enum ImageEdit: Sendable, Hashable {
  /// `set PART = VALUE`.
  case set(ImagePart, Expression)
  /// `append PART VALUE`: added at the end of the part.
  case append(ImagePart, Expression)
  /// `remove PART`.
  case remove(ImagePart)

  public var part: ImagePart {
    switch self {
    case .set(let part, _), .append(let part, _), .remove(let part): return part
    }
  }
}
