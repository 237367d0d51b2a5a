import SyncValue

/// How objects the loop created on the target are marked, and recognised.
///
/// The mark is an annotation, never a label: it holds the source cluster and the source
/// object's full identity, which can be far longer than a label value's 63 characters.
public struct Ownership: Sendable, Hashable {
  /// `syncrules.io/source`: the source cluster and object this one was synced from.
  public static let annotation = "syncrules.io/source"
  /// `syncrules.io/self`: the object's own identity when it was written. A copy of the
  /// object made by someone else keeps both annotations but has another identity, and
  /// is never pruned (Argo CD learned this the hard way).
  public static let selfAnnotation = "syncrules.io/self"

  /// Names the source cluster in every mark, so two loops syncing from different
  /// clusters into one standby never prune each other's objects.
  public var sourceCluster: String

  public init(sourceCluster: String) {
    self.sourceCluster = sourceCluster
  }

  /// The annotation value for an object synced from `source`.
  public func mark(for source: ObjectKey) -> String {
    "\(sourceCluster):\(source)"
  }

  /// Adds the marks to `object`.
  public func marking(_ object: Value, source: ObjectKey) -> Value {
    guard case .object(var root) = object, let identity = ObjectKey(of: object) else {
      return object
    }
    var metadata = root["metadata"]?.objectValue ?? ObjectValue()
    var annotations = metadata["annotations"]?.objectValue ?? ObjectValue()
    annotations[Self.annotation] = .string(mark(for: source))
    annotations[Self.selfAnnotation] = .string(identity.description)
    metadata["annotations"] = .object(annotations)
    root["metadata"] = .object(metadata)
    return .object(root)
  }

  /// The source object a target object was synced from, when it carries our marks and
  /// is the very object they were written on.
  public func source(of object: Value) -> ObjectKey? {
    guard let annotations = object["metadata"]?["annotations"],
      case .string(let mark)? = annotations[Self.annotation],
      case .string(let written)? = annotations[Self.selfAnnotation],
      mark.hasPrefix(sourceCluster + ":"),
      let identity = ObjectKey(of: object), written == identity.description
    else { return nil }
    return Self.parse(String(mark.dropFirst(sourceCluster.count + 1)))
  }

  /// Whether the loop may delete this target object on behalf of `source`.
  public func owns(_ object: Value, expectedSource source: ObjectKey) -> Bool {
    self.source(of: object) == source
  }

  static func parse(_ text: String) -> ObjectKey? {
    // group/Kind:namespace/name — group may contain dots, never ':'; names never ':'.
    guard let colon = text.firstIndex(of: ":") else { return nil }
    let groupKind = text[..<colon]
    let namespaceName = text[text.index(after: colon)...]
    guard let kindSlash = groupKind.lastIndex(of: "/"),
      let nameSlash = namespaceName.firstIndex(of: "/")
    else { return nil }
    return ObjectKey(
      group: String(groupKind[..<kindSlash]),
      kind: String(groupKind[groupKind.index(after: kindSlash)...]),
      namespace: String(namespaceName[..<nameSlash]),
      name: String(namespaceName[namespaceName.index(after: nameSlash)...]))
  }
}
