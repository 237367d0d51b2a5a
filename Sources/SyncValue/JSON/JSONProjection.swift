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

/// Finds the projection for an object from its `apiVersion` and `kind`, which the reader
/// passes once it has read both (as strings) at the top of an object; members before that
/// point are built as usual.
///
/// Called once per object on the reader's thread; it should remember its answers.
public typealias JSONProjectionLookup = (_ apiVersion: String, _ kind: String) -> JSONProjection

extension JSONProjection {
  /// The projection of a member, when this is one of an object's.
  @inline(__always)
  func member(_ key: String) -> JSONProjection? {
    guard case .members(let members) = self else { return nil }
    return members[key]
  }
}
