import SyncValue

/// One change reported by a watch.
public enum WatchEvent: Sendable, Equatable {
  case added(Value)
  case modified(Value)
  case deleted(Value)
  /// Nothing changed, but the watch has seen everything up to `resourceVersion`: resume
  /// from here after a disconnect.
  case bookmark(resourceVersion: String)

  /// The object of an added, modified or deleted event.
  public var object: Value? {
    switch self {
    case .added(let object), .modified(let object), .deleted(let object): return object
    case .bookmark: return nil
    }
  }

  /// The resourceVersion this event brings the watcher up to.
  public var resourceVersion: String? {
    switch self {
    case .bookmark(let version): return version
    default: return object?["metadata"]?["resourceVersion"]?.stringValue
    }
  }
}
