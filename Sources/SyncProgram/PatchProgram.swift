import SyncMatch
import SyncSyntax
import SyncValue

/// A compiled rule set: what the runtime evaluates for every object.
///
/// Everything that does not depend on the object is done here once: kinds are
/// dispatched through a table, regexes and globs compiled, path keys interned, constants
/// built, and every instruction knows the source line it came from.
public struct PatchProgram: Sendable {
  /// Interned map keys used by paths, in first-use order.
  public var segments: [String]
  /// Pre-built constant values.
  public var constants: [Value]
  /// Where each rule, skip and instruction came from.
  public var locations: [SourceSpan]
  public var skips: [CompiledSkip]
  /// The skips arranged so that an object is tested only against those that can match it.
  public var skipTable: SkipTable
  public var rules: [CompiledRule]
  public var dispatch: DispatchTable

  public init(
    segments: [String], constants: [Value], locations: [SourceSpan], skips: [CompiledSkip],
    skipTable: SkipTable, rules: [CompiledRule], dispatch: DispatchTable
  ) {
    self.segments = segments
    self.constants = constants
    self.locations = locations
    self.skips = skips
    self.skipTable = skipTable
    self.rules = rules
    self.dispatch = dispatch
  }
}

/// A source position resolved to text, so the runtime needs no source files.
public struct SourceSpan: Sendable, Hashable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int
  /// The source line, trimmed, for reports and `explain`.
  public var excerpt: String

  public init(file: String, line: Int, column: Int, excerpt: String) {
    self.file = file
    self.line = line
    self.column = column
    self.excerpt = excerpt
  }

  public var description: String { "\(file):\(line):\(column)" }
}

/// A path with its keys interned: the runtime never splits or parses paths.
public struct CompiledPath: Sendable, Hashable, CustomStringConvertible {
  public enum Step: Sendable, Hashable {
    case key(String)
    case anyKey
    case index(Int)
    case anyElement
    /// Elements whose `key` field equals `value` (any value when nil).
    case keyed(key: String, value: Value?)
    /// Elements equal to the value.
    case equal(Value)
  }

  public var steps: [Step]
  /// The path as the user wrote it.
  public var text: String

  public init(steps: [Step], text: String) {
    self.steps = steps
    self.text = text
  }

  public var description: String { text }
}

/// A value an instruction writes: a constant, or something computed from the source.
public indirect enum Operand: Sendable {
  case constant(Int)
  case read(CompiledPath)
  case interpolate([InterpolationPiece])
  case list([Operand])
  case map([(String, Operand)])
}

/// A piece of an interpolated string.
public enum InterpolationPiece: Sendable, Hashable {
  case text(String)
  case read(CompiledPath)
}

/// How `replace` finds text.
public enum TextMatcher: Sendable {
  case substring(String)
  case prefix(String)
  case suffix(String)
  case regex(CompiledRegex)
}

/// One step of a rule's code. Rules are flat instruction arrays; `when` compiles to jumps.
public enum Instruction: Sendable {
  case set(CompiledPath, Operand)
  case setDefault(CompiledPath, Operand)
  case remove(CompiledPath)
  case append(CompiledPath, Operand, ifAbsent: Bool, atStart: Bool, listKeys: [String])
  case merge(CompiledPath, Operand)
  case replace(CompiledPath, TextMatcher, Operand)
  case drop
  /// `ifTestsPass`: a failing `test` operation makes the patch do nothing.
  case patch(JSONPatch, ifTestsPass: Bool)
  /// A `patch` whose values read the source object: the operand builds the document
  /// (pointers and operation names are constants, checked when the rules were).
  case patchTemplate(Operand, ifTestsPass: Bool)
  /// `image PATH, … CHANGE`: one part of the image references at the paths.
  case image([CompiledPath], ImageChange)
  /// `patch strategic { … }`: a Kubernetes strategic merge patch of the whole object,
  /// with the strategies of each kind the rule can match (by `apiVersion kind`).
  case strategicPatch(Operand, strategies: [String: PatchStrategyTree])
  /// `edit PATH as json|yaml { … }`: the instructions up to the matching
  /// ``leaveDocument`` (at `end`) edit the document parsed from the string at the path;
  /// when the path is absent, execution continues after `end`.
  case enterDocument(CompiledPath, DocumentFormat, end: Int)
  /// Writes the edited document back into its string.
  case leaveDocument
  /// `dependencies`: collect the referenced objects of these kinds (sync follows them).
  case dependencies(Set<DependencyKind>)
  /// Continue at `target` unless the condition holds.
  case jumpUnless(CompiledCondition, target: Int)
  case jump(target: Int)
}

/// A kind of object a pod template can reference.
public enum DependencyKind: String, Sendable, Hashable, CaseIterable, Comparable {
  case configMap = "ConfigMap"
  case secret = "Secret"
  case serviceAccount = "ServiceAccount"
  case persistentVolumeClaim = "PersistentVolumeClaim"

  /// From the plural the rule language uses (`configmaps`).
  public init?(plural: String) {
    switch plural {
    case "configmaps": self = .configMap
    case "secrets": self = .secret
    case "serviceaccounts": self = .serviceAccount
    case "persistentvolumeclaims": self = .persistentVolumeClaim
    default: return nil
    }
  }

  public static func < (lhs: DependencyKind, rhs: DependencyKind) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

/// A condition with its patterns compiled.
public indirect enum CompiledCondition: Sendable {
  case and(CompiledCondition, CompiledCondition)
  case or(CompiledCondition, CompiledCondition)
  case not(CompiledCondition)
  case exists(CompiledPath)
  case compare(Operand, ComparisonKind, Operand)
  case inList(Operand, [Operand])
  case matches(Operand, TextMatcher)
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
public enum ComparisonKind: String, Sendable {
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
}

/// A compiled name/namespace/group pattern.
public enum NameMatcher: Sendable {
  case exact(String)
  case glob(Glob)
  case regex(CompiledRegex)

  public func matches(_ text: String) -> Bool {
    switch self {
    case .exact(let exact): return exact == text
    case .glob(let glob): return glob.matches(text)
    case .regex(let regex): return regex.matchesWhole(text)
    }
  }
}

/// A kind pattern: each part exact, glob or any.
public struct KindMatcher: Sendable {
  public var group: NameMatcher?
  public var version: NameMatcher?
  public var kind: NameMatcher?

  public init(group: NameMatcher?, version: NameMatcher?, kind: NameMatcher?) {
    self.group = group
    self.version = version
    self.kind = kind
  }

  public func matches(group: String, version: String, kind: String) -> Bool {
    (self.group?.matches(group) ?? true) && (self.version?.matches(version) ?? true)
      && (self.kind?.matches(kind) ?? true)
  }
}

/// A label or annotation requirement.
public struct CompiledRequirement: Sendable {
  public enum Test: Sendable {
    case equals(String)
    case notEquals(String)
    case oneOf(Set<String>)
    case noneOf(Set<String>)
    case exists
    case absent
  }

  public var key: String
  public var test: Test

  public init(key: String, test: Test) {
    self.key = key
    self.test = test
  }
}

/// Everything but the kind that an object must satisfy (the kind is in the dispatch table).
public struct CompiledSelector: Sendable {
  public var kinds: [KindMatcher]
  /// Each inner list is one `in` clause: the namespace must match one of its patterns.
  public var namespaces: [[NameMatcher]]
  public var names: [[NameMatcher]]
  public var labels: [CompiledRequirement]
  public var annotations: [CompiledRequirement]
  public var conditions: [CompiledCondition]
  /// nil: either scope.
  public var namespaced: Bool?

  public init(
    kinds: [KindMatcher], namespaces: [[NameMatcher]], names: [[NameMatcher]],
    labels: [CompiledRequirement], annotations: [CompiledRequirement],
    conditions: [CompiledCondition], namespaced: Bool?
  ) {
    self.kinds = kinds
    self.namespaces = namespaces
    self.names = names
    self.labels = labels
    self.annotations = annotations
    self.conditions = conditions
    self.namespaced = namespaced
  }
}

/// A compiled `skip`.
public enum CompiledSkip: Sendable {
  case namespaces([NameMatcher])
  case names([NameMatcher])
  case kinds([KindMatcher])
  case groups([NameMatcher])
  /// Objects with a controller owner reference (of these kinds, when given).
  case owned([KindMatcher]?)
  case match(CompiledSelector)
}

/// A compiled rule.
public struct CompiledRule: Sendable {
  public var name: String
  public var selector: CompiledSelector
  public var code: [Instruction]
  /// Location of each instruction (index into ``PatchProgram/locations``).
  public var codeLocations: [Int]
  /// Location of the rule header.
  public var location: Int
  /// What makes an object what it is (apiVersion, kind, name, namespace) that some edit
  /// of the rule names explicitly, and so may change.
  public var identityWrites: IdentityFields
  /// Whether an edit could change the object's identity at all: one that writes the root,
  /// `apiVersion`, `kind`, `metadata` or a key under `metadata` that names the object,
  /// or a wildcard at the root. The evaluator verifies identity only after such rules.
  public var mayChangeIdentity: Bool

  public init(
    name: String, selector: CompiledSelector, code: [Instruction], codeLocations: [Int],
    location: Int, identityWrites: IdentityFields, mayChangeIdentity: Bool
  ) {
    self.name = name
    self.selector = selector
    self.code = code
    self.codeLocations = codeLocations
    self.location = location
    self.identityWrites = identityWrites
    self.mayChangeIdentity = mayChangeIdentity
  }
}

/// The fields that identify an object. An edit may change one only when it names it: a
/// rule never turns an object into another by accident (`set * = …`, a JSON Patch that
/// replaces `/metadata`).
public struct IdentityFields: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let apiVersion = IdentityFields(rawValue: 1)
  public static let kind = IdentityFields(rawValue: 2)
  public static let name = IdentityFields(rawValue: 4)
  public static let namespace = IdentityFields(rawValue: 8)

  /// The field a path names exactly (`metadata.name`), if it is one of these.
  public init(keys: [String]) {
    switch keys {
    case ["apiVersion"]: self = .apiVersion
    case ["kind"]: self = .kind
    case ["metadata", "name"]: self = .name
    case ["metadata", "namespace"]: self = .namespace
    default: self = []
    }
  }

  /// Whether a write at a path starting with these keys (or at the root when `keys` is
  /// empty; `nil` stands for a wildcard) can change one of the fields.
  public static func canChange(_ keys: [String?]) -> Bool {
    guard let first = keys.first else { return true }
    guard let first else { return true }
    switch first {
    case "apiVersion", "kind": return true
    case "metadata":
      guard keys.count > 1, let second = keys[1] else { return true }
      return second == "name" || second == "namespace"
    default: return false
    }
  }
}

/// Finds the rules that can apply to a kind without scanning every rule.
public struct DispatchTable: Sendable {
  /// A group and kind, hashed without building a string per object.
  public struct Key: Sendable, Hashable {
    public var group: String
    public var kind: String

    public init(group: String, kind: String) {
      self.group = group
      self.kind = kind
    }
  }

  /// Rules naming that exact group and kind, merged in rule order with the wildcard
  /// rules, so a lookup allocates nothing.
  public var exact: [Key: [Int]]
  /// Rules with a wildcard in the group or kind: all that can apply to other kinds.
  public var wildcard: [Int]

  public init(exact: [Key: [Int]], wildcard: [Int]) {
    self.exact = exact
    self.wildcard = wildcard
  }

  /// Rule indices to try for an object, in rule order.
  public func candidates(group: String, kind: String) -> [Int] {
    exact[Key(group: group, kind: kind)] ?? wildcard
  }
}

/// Where each skip can match, so that an object meets only the skips that concern it.
///
/// Skips are tried in order and the first that matches counts, so every lookup yields a
/// skip index and the smallest one wins. Exact namespaces, names and groups are looked up
/// by hash; skips that name exact kinds (`skip kinds`, `skip match` with exact kinds) are
/// tested only for those kinds; everything else (globs, regexes, `skip owned`) is tested
/// for every object.
public struct SkipTable: Sendable {
  /// The first `skip namespaces` of only exact names that lists each namespace.
  public var namespaces: [String: Int]
  /// The first `skip names` of only exact names that lists each name.
  public var names: [String: Int]
  /// The first `skip groups` of only exact names that lists each group.
  public var groups: [String: Int]
  /// Skips to test for objects of a group and kind, in order: those naming that exact
  /// kind merged with ``everyObject``.
  public var byKind: [DispatchTable.Key: [Int]]
  /// Skips to test for any other kind, in order.
  public var everyObject: [Int]

  /// Skips to test one by one for an object of this group and kind, in order.
  public func candidates(group: String, kind: String) -> [Int] {
    byKind.isEmpty
      ? everyObject : byKind[DispatchTable.Key(group: group, kind: kind)] ?? everyObject
  }

  /// Arranges `skips`.
  public init(_ skips: [CompiledSkip]) {
    namespaces = [:]
    names = [:]
    groups = [:]
    var kindSpecific: [DispatchTable.Key: [Int]] = [:]
    everyObject = []
    for (index, skip) in skips.enumerated() {
      switch skip {
      case .namespaces(let matchers):
        if let exact = Self.exactNames(matchers) {
          for name in exact where namespaces[name] == nil { namespaces[name] = index }
          continue
        }
      case .names(let matchers):
        if let exact = Self.exactNames(matchers) {
          for name in exact where names[name] == nil { names[name] = index }
          continue
        }
      case .groups(let matchers):
        if let exact = Self.exactNames(matchers) {
          for name in exact where groups[name] == nil { groups[name] = index }
          continue
        }
      case .kinds(let matchers):
        if let keys = Self.exactKinds(matchers) {
          for key in keys { kindSpecific[key, default: []].append(index) }
          continue
        }
      case .match(let selector):
        if let keys = Self.exactKinds(selector.kinds) {
          for key in keys { kindSpecific[key, default: []].append(index) }
          continue
        }
      case .owned:
        break
      }
      everyObject.append(index)
    }
    let general = everyObject
    byKind = kindSpecific.mapValues { Array(Set($0 + general)).sorted() }
  }

  /// The names when every matcher is exact; nil when one is a glob or regex.
  static func exactNames(_ matchers: [NameMatcher]) -> [String]? {
    var names: [String] = []
    for matcher in matchers {
      guard case .exact(let name) = matcher else { return nil }
      names.append(name)
    }
    return names
  }

  /// The group and kind of each matcher when all name an exact group and kind (any
  /// version); nil otherwise.
  static func exactKinds(_ matchers: [KindMatcher]) -> Set<DispatchTable.Key>? {
    var keys: Set<DispatchTable.Key> = []
    for matcher in matchers {
      guard case .exact(let group)? = matcher.group, case .exact(let kind)? = matcher.kind else {
        return nil
      }
      keys.insert(DispatchTable.Key(group: group, kind: kind))
    }
    return keys.isEmpty ? nil : keys
  }
}
