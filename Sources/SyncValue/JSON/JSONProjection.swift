/// What a reader may leave out of an object it builds: members whose values nobody will
/// look at, which it then checks for well-formedness without building them.
///
/// The compiler of a rule set knows, per kind, which paths every object it writes loses
/// (`status`, `metadata.managedFields`) and that nothing reads them; reading those bytes
/// into values only to throw the values away is a third of the work on kubectl's output.
public indirect enum JSONProjection: Sendable, Equatable {
  /// Build the value as usual.
  case keep
  /// Check the value's text and leave it out of the object that holds it.
  case skip
  /// When the value is an object: project each listed member as given and keep the
  /// others. Any other value is built as usual.
  case members([String: JSONProjection])
}

/// What a reader asks about each Kubernetes object it reads with a projection.
///
/// Asked on the reader's thread, once or twice per object; it should remember what it
/// works out per kind.
public protocol JSONProjectionSource: AnyObject {
  /// The projection for an object of this `apiVersion` and `kind`, asked once the reader
  /// has read both (as strings) at the top of the object; members before that point are
  /// built as usual.
  func projection(apiVersion: String, kind: String) -> JSONProjection

  /// Whether nothing of the object after its `metadata` (just read, after `apiVersion`
  /// and `kind`) matters: the object will not be written whatever it holds (a skip
  /// matches, or no rule can select it). The reader then checks the rest without
  /// building it.
  func leavesOutTheRest(apiVersion: String, kind: String, metadata: ObjectValue) -> Bool
}

extension JSONProjection {
  /// The projection of a member, when this is one of an object's.
  @inline(__always)
  func member(_ key: String) -> JSONProjection? {
    guard case .members(let members) = self else { return nil }
    return members[key]
  }
}
