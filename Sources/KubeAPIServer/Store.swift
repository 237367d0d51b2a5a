import KubeModel
import NIOConcurrencyHelpers
import NIOCore
import SyncValue

/// One change as watchers see it.
struct WatchFrame: Sendable {
  var type: String
  var storageKey: String
  var namespace: String
  var revision: Int64
  var object: Value
  /// The object before a modification, so a watch with a selector can turn a change that
  /// moves an object out of (or into) its selection into DELETED (or ADDED).
  var previous: Value?
}

/// What a watch asks for.
struct WatchFilter: Sendable {
  var resource: ResourceType
  var namespace: String?
  var labels: LabelSelector
  var fields: FieldSelector

  func matches(_ object: Value, storageKey: String) -> Bool {
    guard storageKey == resource.storageKey else { return false }
    if let namespace, object["metadata"]?["namespace"]?.stringValue ?? "" != namespace {
      return false
    }
    return labels.matches(object["metadata"]?["labels"]?.objectValue) && fields.matches(object)
  }

  /// The event as this watch reports it, or nil when it concerns objects outside it.
  func view(of event: WatchFrame) -> WatchFrame? {
    let now = matches(event.object, storageKey: event.storageKey)
    let before = event.previous.map { matches($0, storageKey: event.storageKey) } ?? false
    var result = event
    result.object = present(event.object, as: resource)
    switch (before, now) {
    case (_, true) where event.type != "MODIFIED": return result
    case (true, true): return result
    case (false, true): result.type = "ADDED"
    case (true, false) where event.type == "MODIFIED": result.type = "DELETED"
    default: return nil
    }
    return result
  }
}

/// A registered watch: how to hand it events and how to end it.
struct Watcher: Sendable {
  var filter: WatchFilter
  var deliver: @Sendable (WatchFrame) -> Void
  var close: @Sendable (_ abruptly: Bool) -> Void
}

/// A stored object read at another served version carries that version's `apiVersion`;
/// there is no conversion beyond that.
func present(_ object: Value, as resource: ResourceType) -> Value {
  guard case .object(var root) = object,
    root["apiVersion"]?.stringValue != resource.apiVersion
  else { return object }
  root["apiVersion"] = .string(resource.apiVersion)
  return .object(root)
}

/// The result of a list request.
struct ListResult {
  var items: [Value]
  var revision: Int64
  var continueToken: String?
  var remaining: Int?
}

/// All objects, the resourceVersion counter, the watch history and the open watches,
/// behind one lock.
///
/// One global counter gives every write a resourceVersion, as etcd's revision does.
/// Watchers are called with the lock held so that each sees events in commit order; their
/// callbacks only enqueue work on a NIO event loop.
final class Store: @unchecked Sendable {
  let lock = NIOLock()
  var catalog = Catalog()
  /// storage key → "namespace/name" → object.
  var objects: [String: [String: Value]] = [:]
  var sortedKeys: [String: [String]] = [:]
  var revision: Int64 = 0
  /// The last `historyLimit` events, oldest first. A ring, so that each commit past the
  /// limit lets go of one event, as kube-apiserver's watch cache does: trimming thousands
  /// at once (each with its object trees) held the lock for ~0.2 s at 500 writes/s.
  var history = CircularBuffer<WatchFrame>()
  /// Every event after this revision is still in `history`; older ones are gone.
  var historyFloor: Int64 = 0
  var watchers: [Int: Watcher] = [:]
  var nextWatcherID = 0
  let historyLimit: Int
  var initialObjects: [Value] = []

  init(historyLimit: Int) {
    self.historyLimit = max(1, historyLimit)
  }

  /// Runs `body` under the lock; with `dryRun`, everything it changed is put back after
  /// and watchers hear nothing (copy-on-write makes the snapshot cheap).
  func locked<T>(dryRun: Bool = false, _ body: () throws(APIStatus) -> T) throws(APIStatus) -> T {
    lock.lock()
    defer { lock.unlock() }
    guard dryRun else { return try body() }
    let saved = (catalog, objects, sortedKeys, revision, history, historyFloor)
    let savedWatchers = watchers
    watchers = [:]
    defer {
      (catalog, objects, sortedKeys, revision, history, historyFloor) = saved
      watchers = savedWatchers
    }
    return try body()
  }

  func lockedNoThrow<T>(_ body: () -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body()
  }

  var currentRevision: Int64 { lockedNoThrow { revision } }
  var currentCatalog: Catalog { lockedNoThrow { catalog } }

  static func key(namespace: String, name: String) -> String { "\(namespace)/\(name)" }

  // MARK: Reads

  func get(_ resource: ResourceType, namespace: String, name: String) throws(APIStatus) -> Value {
    try locked { () throws(APIStatus) -> Value in
      guard let object = objects[resource.storageKey]?[Self.key(namespace: namespace, name: name)]
      else { throw .notFound(resource, name: name) }
      return present(object, as: resource)
    }
  }

  /// Lists in key order. A continue token carries the revision of the first page and the
  /// last key served; later pages show the objects after that key as they are now (not a
  /// snapshot), and the token expires once history is trimmed past its revision.
  func list(
    _ resource: ResourceType, namespace: String?, labels: LabelSelector, fields: FieldSelector,
    limit: Int?, continueToken: String?
  ) throws(APIStatus) -> ListResult {
    try locked { () throws(APIStatus) -> ListResult in
      var startAfter: String?
      var listRevision = revision
      if let continueToken, !continueToken.isEmpty {
        guard let token = ContinueToken(encoded: continueToken) else {
          throw .badRequest("invalid continue token")
        }
        guard token.revision >= historyFloor else {
          throw .expired(
            "The provided continue parameter is too old to display a consistent list result. "
              + "You can start a new list without the continue parameter.")
        }
        startAfter = token.lastKey
        listRevision = token.revision
      }
      let keys = sortedKeysLocked(resource.storageKey)
      var index = 0
      if let startAfter {
        index = keys.partitionPoint { $0 <= startAfter }
      }
      let filter = WatchFilter(
        resource: resource, namespace: namespace, labels: labels, fields: fields)
      let bucket = objects[resource.storageKey] ?? [:]
      var items: [Value] = []
      var lastKey: String?
      while index < keys.count {
        let key = keys[index]
        index += 1
        guard let object = bucket[key], filter.matches(object, storageKey: resource.storageKey)
        else { continue }
        items.append(present(object, as: resource))
        lastKey = key
        if let limit, limit > 0, items.count >= limit { break }
      }
      var result = ListResult(items: items, revision: listRevision)
      if let lastKey, let limit, limit > 0, items.count >= limit,
        keys[index...].contains(where: {
          bucket[$0].map { filter.matches($0, storageKey: resource.storageKey) } ?? false
        })
      {
        result.continueToken = ContinueToken(revision: listRevision, lastKey: lastKey).encoded
        // Without selectors every key after this page counts: counting them one by one
        // made a paged list of n objects cost n²/limit (a third of the standby's CPU at
        // 200,000 objects, under the loop's orphan sweep).
        let selectsAll =
          namespace == nil && labels.requirements.isEmpty && fields.requirements.isEmpty
        result.remaining =
          selectsAll
          ? keys.count - index
          : keys[index...].count {
            bucket[$0].map { filter.matches($0, storageKey: resource.storageKey) } ?? false
          }
      }
      return result
    }
  }

  func sortedKeysLocked(_ storageKey: String) -> [String] {
    if let keys = sortedKeys[storageKey] { return keys }
    let keys = (objects[storageKey] ?? [:]).keys.sorted()
    sortedKeys[storageKey] = keys
    return keys
  }

  // MARK: Watch

  /// Registers a watch and returns its id and the events to send before live ones.
  ///
  /// - `fromRevision` nil (unset or "0"): ADDED for every current object, then live.
  /// - A revision: the events after it from history, or 410 Expired when trimmed.
  /// - `initialEvents`: ADDED for every current object, then a BOOKMARK annotated
  ///   `k8s.io/initial-events-end`.
  func watch(
    _ watcher: Watcher, fromRevision: Int64?, initialEvents: Bool
  ) throws(APIStatus) -> (id: Int, events: [WatchFrame]) {
    try locked { () throws(APIStatus) -> (id: Int, events: [WatchFrame]) in
      var events: [WatchFrame] = []
      let filter = watcher.filter
      if let fromRevision, !initialEvents {
        guard fromRevision >= historyFloor else {
          throw .expired("too old resource version: \(fromRevision) (\(historyFloor + 1))")
        }
        for event in history where event.revision > fromRevision {
          if let view = filter.view(of: event) { events.append(view) }
        }
      } else {
        let bucket = objects[filter.resource.storageKey] ?? [:]
        for key in sortedKeysLocked(filter.resource.storageKey) {
          guard let object = bucket[key],
            filter.matches(object, storageKey: filter.resource.storageKey)
          else { continue }
          events.append(
            WatchFrame(
              type: "ADDED", storageKey: filter.resource.storageKey, namespace: "",
              revision: revision, object: present(object, as: filter.resource)))
        }
        if initialEvents {
          events.append(bookmark(initialEventsEnd: true))
        }
      }
      let id = nextWatcherID
      nextWatcherID += 1
      watchers[id] = watcher
      return (id, events)
    }
  }

  func bookmark(initialEventsEnd: Bool = false) -> WatchFrame {
    var metadata = ObjectValue(["resourceVersion": .string(String(revision))])
    if initialEventsEnd {
      metadata["annotations"] = ["k8s.io/initial-events-end": "true"]
    }
    return WatchFrame(
      type: "BOOKMARK", storageKey: "", namespace: "", revision: revision,
      object: .object(ObjectValue(["metadata": .object(metadata)])))
  }

  func currentBookmark(for resource: ResourceType) -> WatchFrame {
    lockedNoThrow {
      var event = bookmark()
      if case .object(var object) = event.object {
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.apiVersion)
        event.object = .object(object)
      }
      return event
    }
  }

  func unwatch(_ id: Int) {
    lockedNoThrow { _ = watchers.removeValue(forKey: id) }
  }

  /// Ends every open watch; `abruptly` closes the connection instead of ending the stream.
  /// Ends every watch; returns how many there were.
  @discardableResult
  func dropWatches(abruptly: Bool) -> Int {
    let dropped = lockedNoThrow {
      let all = watchers
      watchers = [:]
      return all
    }
    for watcher in dropped.values { watcher.close(abruptly) }
    return dropped.count
  }

  var openWatchCount: Int { lockedNoThrow { watchers.count } }

  /// Forgets all history so that a watch resuming from any earlier revision gets 410.
  func trimHistory() {
    lockedNoThrow {
      history.removeAll()
      historyFloor = revision
    }
  }

  // MARK: Committing

  /// Records a change: bumps the revision, stores or removes the object, appends history
  /// and tells the watchers. The lock must be held.
  @discardableResult
  func commitLocked(
    _ type: String, _ resource: ResourceType, object: Value, previous: Value?
  ) -> Value {
    revision += 1
    var object = object
    if case .object(var root) = object {
      var metadata = root["metadata"]?.objectValue ?? ObjectValue()
      metadata["resourceVersion"] = .string(String(revision))
      root["metadata"] = .object(metadata)
      object = .object(root)
    }
    let namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
    let name = object["metadata"]?["name"]?.stringValue ?? ""
    let key = Self.key(namespace: namespace, name: name)
    let storageKey = resource.storageKey
    if type == "DELETED" {
      objects[storageKey]?.removeValue(forKey: key)
      sortedKeys[storageKey] = nil
    } else {
      if objects[storageKey, default: [:]].updateValue(object, forKey: key) == nil {
        sortedKeys[storageKey] = nil
      }
    }
    let event = WatchFrame(
      type: type, storageKey: storageKey, namespace: namespace, revision: revision,
      object: object, previous: previous)
    history.append(event)
    if history.count > historyLimit {
      historyFloor = history.removeFirst().revision
    }
    for watcher in watchers.values {
      if let view = watcher.filter.view(of: event) { watcher.deliver(view) }
    }
    return object
  }
}

/// `continue` tokens: the list's revision and the last key served, base64-encoded.
struct ContinueToken {
  var revision: Int64
  var lastKey: String

  init(revision: Int64, lastKey: String) {
    self.revision = revision
    self.lastKey = lastKey
  }

  init?(encoded: String) {
    guard let bytes = Base64.decode(encoded),
      let value = try? JSON.parse(bytes),
      case .int(let revision) = value["rv"] ?? .null,
      let lastKey = value["start"]?.stringValue
    else { return nil }
    self.revision = revision
    self.lastKey = lastKey
  }

  var encoded: String {
    Base64.encode(Array(JSON.serialize(["rv": .int(revision), "start": .string(lastKey)]).utf8))
  }
}

extension Array where Element == String {
  /// The first index whose element does not satisfy `belongs`, for a sorted array.
  func partitionPoint(_ belongs: (String) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if belongs(self[middle]) { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
