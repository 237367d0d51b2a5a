import KubeModel
import SyncCompile
import SyncProgram
import SyncRuntime
import SyncValue

/// What should exist on the target for the source objects and the rules: one pure
/// function of them, with no I/O, so that `sync` (object by object), its orphan sweep and
/// `diff` (a whole snapshot at once) cannot disagree.
///
/// The ``SyncEngine`` only schedules: it feeds the Decider one source object at a time
/// and carries out what it decides; ``plan(_:against:)`` answers for a whole snapshot.
public struct Decider: Sendable {
  /// Runs the rules over one object.
  public let evaluator: Evaluator
  /// How copies are marked, and recognised as ours.
  public let ownership: Ownership
  /// Core kinds a `dependencies` edit follows (`ConfigMap`, `Secret`, …).
  private let followedKinds: Set<String>

  /// A Decider for these rules, marking copies for this source cluster.
  public init(program: PatchProgram, ownership: Ownership) {
    self.evaluator = Evaluator(program: program)
    self.ownership = ownership
    self.followedKinds = Set(program.followedDependencyKinds.map(\.rawValue))
  }

  /// The rules.
  public var program: PatchProgram { evaluator.program }

  // MARK: One source object

  /// What the rules make of `object` (whose key is `key`). `isReferenced`: some object
  /// the rules sync, or whose rules failed, references it through `dependencies`; an
  /// object no rule selects is then synced as it is.
  public func decide(_ object: Value, source key: ObjectKey, isReferenced: Bool)
    -> ObjectDecision
  {
    let (outcome, references) = evaluator.evaluateFollowingDependencies(object)
    switch outcome {
    case .rewritten(let rewritten, _):
      return desired(rewritten, source: key, dependencies: Self.keys(of: references))
    case .unmatched where isReferenced:
      return desired(object, source: key, dependencies: [])
    case .unmatched:
      return ObjectDecision(source: key, verdict: .excluded(.unmatched))
    case .skipped:
      return ObjectDecision(source: key, verdict: .excluded(.skipped))
    case .dropped:
      return ObjectDecision(source: key, verdict: .excluded(.dropped))
    case .failed(let failure):
      // Which edits would have run is not known: keep what any matching rule could follow,
      // so the standby does not keep a workload and lose its ConfigMap.
      let kinds = evaluator.dependencyKinds(mayFollowFor: object)
      let references =
        kinds.isEmpty
        ? []
        : DependencyReference.references(
          in: object, kinds: kinds, namespace: object["metadata"]?["namespace"]?.stringValue)
      return ObjectDecision(
        source: key, verdict: .failed(failure), dependencies: Self.keys(of: references))
    }
  }

  private func desired(_ rewritten: Value, source key: ObjectKey, dependencies: Set<ObjectKey>)
    -> ObjectDecision
  {
    let prepared = prepare(rewritten, source: key)
    guard let target = ObjectKey(of: prepared), let apiVersion = prepared["apiVersion"]?.stringValue
    else {
      let failure = ObjectFailure(
        code: .identityChanged, message: "the rewritten object has no apiVersion, kind or name")
      return ObjectDecision(source: key, verdict: .failed(failure), dependencies: dependencies)
    }
    let copy = DesiredCopy(
      source: key, target: target, apiVersion: apiVersion, object: prepared,
      fingerprint: Fingerprint(of: prepared))
    return ObjectDecision(source: key, verdict: .desired(copy), dependencies: dependencies)
  }

  private static func keys(of references: [DependencyReference]) -> Set<ObjectKey> {
    Set(
      references.map {
        ObjectKey(group: "", kind: $0.kind.rawValue, namespace: $0.namespace, name: $0.name)
      })
  }

  /// Fields the API server owns: sending them in an apply either fails (a foreign
  /// resourceVersion or uid) or is ignored, so they are removed whatever the rules say.
  static let serverOwnedMetadata = [
    "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
    "deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences",
  ]

  /// What is sent to the target: the rewritten object without server-owned fields, with
  /// our ownership marks.
  public func prepare(_ rewritten: Value, source key: ObjectKey) -> Value {
    guard case .object(var root) = rewritten else { return rewritten }
    if case .object(var metadata)? = root["metadata"] {
      for field in Self.serverOwnedMetadata { metadata.removeValue(forKey: field) }
      root["metadata"] = .object(metadata)
    }
    root.removeValue(forKey: "status")
    return ownership.marking(.object(root), source: key)
  }

  // MARK: Kinds

  /// Whether the rules may want objects of this kind: a rule's kinds match it and no
  /// `skip kinds`/`skip groups` excludes it whole, or a `dependencies` edit follows it.
  /// Decides which source resources are listed and watched, and whether a copy of the
  /// kind whose listing is missing may still have a source.
  public func selects(_ kind: GroupKind, version: String) -> Bool {
    program.mayMatch(group: kind.group, version: version, kind: kind.kind)
      || (kind.group.isEmpty && followedKinds.contains(kind.kind))
  }

  /// Whether the orphan sweep looks at a target resource. Namespaces are never pruned
  /// (deleting one deletes everything in it) and CRDs never swept (deleting one deletes
  /// every custom resource of its kind); copies of both go only with their source.
  public static func sweeps(_ resource: ResourceType) -> Bool {
    resource.applyPriority == .objects
  }

  // MARK: Copies on the target

  /// `live` as a copy this loop made, when it carries our marks and is of a swept kind;
  /// nil for foreign objects, which are never touched.
  public func ownedCopy(_ live: Value) -> OwnedCopy? {
    guard let source = ownership.source(of: live), let target = ObjectKey(of: live),
      target.groupKind.applyPriority == .objects,
      let apiVersion = live["apiVersion"]?.stringValue,
      let groupVersion = GroupVersion(apiVersion: apiVersion)
    else { return nil }
    return OwnedCopy(target: target, source: source, version: groupVersion.version)
  }

  /// Whether a copy stays, given where its source stands. When in doubt it stays: a
  /// failed source, one not evaluated yet, or one whose kind could not be listed while
  /// the rules still select it ("gone" cannot be told from "not seen").
  public func fate(
    of copy: OwnedCopy, standing: SourceStanding, listedKinds: Set<GroupKind>
  ) -> CopyFate {
    switch standing {
    case .wants(let target) where target == copy.target:
      return .wanted
    case .failed:
      return .keep(.sourceFailed)
    case .pending:
      return .keep(.sourcePending)
    case .absent
    where selects(copy.source.groupKind, version: copy.version)
      && !listedKinds.contains(copy.source.groupKind):
      return .keep(.sourceUnlisted)
    case .wants, .unwanted, .absent:
      return .prune
    }
  }
}

/// Why the rules give a source object no copy on the target.
public enum Exclusion: String, Sendable, Hashable {
  /// A `skip` matched.
  case skipped = "skip"
  /// A rule executed `drop`.
  case dropped = "drop"
  /// No rule matched, and no synced object references it.
  case unmatched

  /// Why its copy is retired, for the log.
  var retirement: String {
    switch self {
    case .skipped: return "skipped"
    case .dropped: return "dropped by a rule"
    case .unmatched: return "no rule matches"
    }
  }
}

/// What the rules make of one source object, and what it needs beside it.
public struct ObjectDecision: Sendable {
  /// Whether a copy belongs on the target.
  public enum Verdict: Sendable {
    /// A copy belongs on the target.
    case desired(DesiredCopy)
    /// No copy belongs on the target: any copy of ours goes.
    case excluded(Exclusion)
    /// The rules failed: what the copy should be is not known, so it is kept as it is.
    case failed(ObjectFailure)
  }

  /// The source object decided on.
  public var source: ObjectKey
  public var verdict: Verdict
  /// Source objects synced beside this one (`dependencies`): what a rewritten object
  /// references, and for a failed one what its matching rules could have followed.
  public var dependencies: Set<ObjectKey> = []
}

/// The copy of a source object that belongs on the target.
public struct DesiredCopy: Sendable, Equatable {
  /// The source object it is a copy of.
  public var source: ObjectKey
  /// Its identity on the target (a rule may rename it, or change its kind).
  public var target: ObjectKey
  /// Its `apiVersion`, which picks the target resource it is applied to.
  public var apiVersion: String
  /// As applied: rewritten, without server-owned fields, marked as ours.
  public var object: Value
  /// Of `object`: an unchanged copy is not applied again.
  public var fingerprint: Fingerprint
}

/// Where a source object stands, as far as its copies on the target go.
public enum SourceStanding: Sendable, Equatable {
  /// Its copy belongs at this key (a copy under another key is left from a rename).
  case wants(ObjectKey)
  /// Its latest evaluation or apply failed.
  case failed
  /// Skipped, dropped, or unmatched and not referenced.
  case unwanted
  /// Known to exist, not evaluated yet (the loop's initial sync or a reload).
  case pending
  /// Not among the source objects.
  case absent
}

/// A target object this loop made.
public struct OwnedCopy: Sendable, Equatable {
  public var target: ObjectKey
  /// The source object its marks name.
  public var source: ObjectKey
  /// The version of its apiVersion.
  public var version: String
}

/// What happens to a copy on the target.
public enum CopyFate: Sendable, Equatable {
  /// It is the copy its source wants.
  case wanted
  /// It stays as it is.
  case keep(KeepReason)
  /// It goes.
  case prune
}

/// Why a copy on the target stays untouched.
public enum KeepReason: Sendable, Hashable {
  /// It equals the desired copy on the fields the rules produce.
  case inSync
  /// Its source's rules failed.
  case sourceFailed
  /// Its source has not been evaluated yet.
  case sourcePending
  /// Its source's kind is selected but could not be listed.
  case sourceUnlisted
}

extension PatchProgram {
  /// The dependency kinds any rule follows (`dependencies` edits).
  public var followedDependencyKinds: Set<DependencyKind> {
    var kinds: Set<DependencyKind> = []
    for rule in rules {
      for case .dependencies(let followed) in rule.code { kinds.formUnion(followed) }
    }
    return kinds
  }

  /// Whether any rule could select objects of this kind, and no skip excludes the kind
  /// or its group entirely.
  public func mayMatch(group: String, version: String, kind: String) -> Bool {
    for skip in skips {
      switch skip {
      case .kinds(let matchers):
        if matchers.contains(where: { $0.matches(group: group, version: version, kind: kind) }) {
          return false
        }
      case .groups(let matchers):
        if matchers.contains(where: { $0.matches(group) }) { return false }
      default:
        continue
      }
    }
    return rules.contains { rule in
      rule.selector.kinds.contains { $0.matches(group: group, version: version, kind: kind) }
    }
  }
}
