// Reading Kubernetes objects with a projection: what the rules will remove unread is
// checked but never built.
extension JSONStreamReader {
  /// Reads the next value like ``readValue()``; when ``projection`` is set and the value
  /// is an object, it is read as a Kubernetes object (at the top level: or a watch frame,
  /// whose `object` is one) and leaves out what the projection says for its kind.
  ///
  /// For whole objects only: a top-level value, or an element of a List's `items` or of
  /// a top-level array.
  public func readObjectValue() throws(JSONError) -> Value {
    guard let projection else { return try readValue() }
    let framing = frames.isEmpty
    return try read { (scanner: inout JSONScanner) throws(JSONError) in
      try scanner.parseProjectedValueExactly(
        ProjectionState(.keep, lookup: projection, framing: framing))
    }
  }

  /// Values left out by a projection since this reader was made.
  public var skippedValueCount: Int { scanner.skippedValues }

  /// For a top-level object just begun with ``beginObject()`` and read member by member:
  /// what ``readMember(_:of:)`` needs to project it; nil without ``projection``.
  public func projectingMembers() -> ProjectedMembers? {
    guard let projection, frames.count == 1 else { return nil }
    return ProjectedMembers(ProjectionState(.keep, lookup: projection, framing: true))
  }

  /// Reads the value of the member `key` that ``nextKey()`` just returned, as the
  /// projection says: nil when it is left out.
  public func readMember(_ key: String, of members: ProjectedMembers) throws(JSONError)
    -> Value?
  {
    try run { (scanner: inout JSONScanner) throws(JSONError) -> Value? in
      let index = members.count
      members.count += 1
      try prepareForValue(&scanner)
      scanner.depth = frames.count
      var value: Value
      switch members.state.action(for: key, index: index) {
      case .build:
        value = try scanner.parseValue()
      case .skip:
        try scanner.skipValueExactly()
        return nil
      case .project(let inner):
        value = try scanner.parseProjectedValueExactly(
          ProjectionState(inner, lookup: nil, framing: false))
      case .frameObject:
        // Kept until the object ends, for `wholeFrameObject(of:)`.
        members.frame = scanner.pin()
        let before = scanner.skippedValues
        value = try scanner.parseProjectedValueExactly(
          ProjectionState(.keep, lookup: members.state.lookup, framing: false))
        members.frameShrank = scanner.skippedValues != before
      }
      members.state.note(key: key, index: index, value: value)
      return value
    }
  }

  /// Call after each ``nextKey()`` of a projected object: when a third member shows that
  /// the object is no watch frame, and its second member (`object`) was read as a frame's
  /// object with something left out, that member read again whole, to replace it.
  public func wholeFrameObject(of members: ProjectedMembers) throws(JSONError) -> Value? {
    guard members.count == 2, members.frameShrank, let pinned = members.frame else {
      return nil
    }
    members.frameShrank = false
    return try run { (scanner: inout JSONScanner) throws(JSONError) -> Value in
      try scanner.reread(pinned)
    }
  }

  /// Ends the projection of a top-level object's members.
  public func endMembers(_ members: ProjectedMembers) {
    if let frame = members.frame { scanner.release(frame) }
  }
}

/// The state of a top-level object read member by member with a projection.
public final class ProjectedMembers {
  var state: ProjectionState
  /// Members read so far.
  var count = 0
  /// Where the object of what may be a watch frame starts, to read it again.
  var frame: PinnedValue?
  /// Whether that object was read with something left out.
  var frameShrank = false

  init(_ state: ProjectionState) {
    self.state = state
  }
}
