import Foundation
import KubeModel
import SyncRuntime
import SyncValue

/// The object on the target an Event is about: its `involvedObject`. It may not exist
/// there yet (a first apply that failed), so it is named, not looked up; the uid is added
/// when the object exists, as `kubectl describe` then matches Events by uid too.
public struct InvolvedObject: Sendable, Hashable, CustomStringConvertible {
  public var apiVersion: String
  public var kind: String
  /// Empty for a cluster-scoped object.
  public var namespace: String
  public var name: String

  public init(apiVersion: String, kind: String, namespace: String, name: String) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.namespace = namespace
    self.name = name
  }

  init(apiVersion: String, _ key: ObjectKey) {
    self.init(apiVersion: apiVersion, kind: key.kind, namespace: key.namespace, name: key.name)
  }

  /// `Kind namespace/name`, as kubectl names objects in messages.
  public var description: String {
    namespace.isEmpty ? "\(kind) \(name)" : "\(kind) \(namespace)/\(name)"
  }

  /// The namespace the Event lives in: the object's, or `default` for a cluster-scoped
  /// object (where client-go's recorder puts them too).
  public var eventNamespace: String { namespace.isEmpty ? "default" : namespace }
}

/// An Event's `reason`: why an object failed to sync, one CamelCase word as Kubernetes
/// reasons are.
public enum FailureReason: String, Sendable, Hashable, CaseIterable {
  /// A rule could not rewrite the object (a runtime diagnostic, E06xx).
  case ruleFailed = "RuleFailed"
  /// The target refused the server-side apply of the rewritten object.
  case applyFailed = "ApplyFailed"
  /// The target serves no resource for the rewritten object's apiVersion and kind.
  case kindNotServed = "KindNotServed"
  /// A rule renamed the object and the copy under its old name could not be deleted.
  case pruneFailed = "PruneFailed"
}

/// One failure to report as a `Warning` Event on the target.
public struct FailureEvent: Sendable, Hashable {
  /// At most this many bytes of message, what events.k8s.io/v1 validation allows (its
  /// `note`); core v1 does not check, but a longer one says nothing more to a reader.
  public static let maximumMessageBytes = 1024

  public var object: InvolvedObject
  public var reason: FailureReason
  /// Human-readable, at most ``maximumMessageBytes`` of UTF-8.
  public private(set) var message: String

  public init(object: InvolvedObject, reason: FailureReason, message: String) {
    self.object = object
    self.reason = reason
    self.message = Self.truncated(message)
  }

  /// A rule failure: names the rule, where it is (file:line:col) and the diagnostic code.
  public init(object: InvolvedObject, failure: ObjectFailure) {
    var text = "error[\(failure.code.rawValue)]: \(failure.message)"
    if let rule = failure.rule, let location = failure.location {
      text = "rule `\(rule)` at \(location) failed: " + text
    } else if let rule = failure.rule {
      text = "rule `\(rule)` failed: " + text
    }
    self.init(object: object, reason: .ruleFailed, message: text)
  }

  /// `text` cut at a character boundary to fit ``maximumMessageBytes``, ending in `…`.
  static func truncated(_ text: String) -> String {
    guard text.utf8.count > maximumMessageBytes else { return text }
    let ellipsis = "…"
    var result = ""
    var bytes = ellipsis.utf8.count
    for character in text {
      let size = character.utf8.count
      guard bytes + size <= maximumMessageBytes else { break }
      result.append(character)
      bytes += size
    }
    return result + ellipsis
  }
}

/// Who reports the Events: `source.component`, `reportingComponent` (core v1's name for
/// events.k8s.io's `reportingController`) and `reportingInstance`.
public struct EventReporter: Sendable {
  public static let component = "syncrules"
  public static let controller = "syncrules.io/syncrules"

  /// `source.host`.
  public var host: String
  /// This process: the leader-election identity when there is one, else `host_pid`.
  public var instance: String

  public init(host: String, instance: String) {
    self.host = host
    self.instance = instance
  }

  /// This host and process.
  public static func thisProcess(identity: String? = nil) -> EventReporter {
    let host = ProcessInfo.processInfo.hostName
    return EventReporter(
      host: host, instance: identity ?? "\(host)_\(ProcessInfo.processInfo.processIdentifier)")
  }

  /// A new core v1 Event, `count` 1, first and last seen `timestamp`.
  func event(
    _ failure: FailureEvent, name: String, uid: String?, timestamp: String
  ) -> Value {
    var involved = ObjectValue()
    involved["apiVersion"] = .string(failure.object.apiVersion)
    involved["kind"] = .string(failure.object.kind)
    involved["name"] = .string(failure.object.name)
    if !failure.object.namespace.isEmpty {
      involved["namespace"] = .string(failure.object.namespace)
    }
    if let uid { involved["uid"] = .string(uid) }
    return [
      "apiVersion": "v1", "kind": "Event",
      "metadata": ["name": .string(name), "namespace": .string(failure.object.eventNamespace)],
      "involvedObject": .object(involved),
      "type": "Warning", "reason": .string(failure.reason.rawValue),
      "message": .string(failure.message),
      "source": ["component": .string(Self.component), "host": .string(host)],
      "reportingComponent": .string(Self.controller), "reportingInstance": .string(instance),
      "firstTimestamp": .string(timestamp), "lastTimestamp": .string(timestamp), "count": 1,
    ]
  }

  /// RFC 3339 in seconds, UTC: the `firstTimestamp`/`lastTimestamp` format.
  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}
