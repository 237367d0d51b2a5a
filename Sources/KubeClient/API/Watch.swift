import AsyncHTTPClient
import KubeModel
import NIOCore
import SyncValue

/// How a watch starts and how long it runs.
public struct WatchOptions: Sendable {
  /// Watch changes after this version (a list's or the last event's); nil starts "now"
  /// with synthetic ADDED events for what exists, which callers of a reflector never want.
  public var resourceVersion: String?
  /// The server ends the watch after this long; nil picks a random time in
  /// ``timeoutRange``, so that many watches do not reconnect at the same moment.
  public var timeout: Duration?
  public var timeoutRange: ClosedRange<Double> = 300...600
  public var allowBookmarks = true
  public var selectors = ListOptions(pageSize: nil)

  public init(resourceVersion: String? = nil, timeout: Duration? = nil) {
    self.resourceVersion = resourceVersion
    self.timeout = timeout
  }

  var effectiveTimeoutSeconds: Int {
    if let timeout { return max(1, Int(timeout.components.seconds)) }
    return Int(Double.random(in: timeoutRange))
  }
}

extension KubeClient {
  /// Watches `resource` and delivers its events until the server ends the watch (the
  /// stream finishes) or something fails (the stream throws).
  ///
  /// The chunked body is read as a stream of JSON values, whatever its line breaks and
  /// chunk boundaries. An `ERROR` event throws its `Status` as a ``KubeError``:
  /// ``KubeError/expired(_:)`` for 410, which means list again. Ending the iteration or
  /// cancelling the consuming task closes the connection.
  public func watch(
    _ resource: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions()
  ) -> AsyncThrowingStream<WatchEvent, any Error> {
    let (stream, continuation) = AsyncThrowingStream.makeStream(
      of: WatchEvent.self, throwing: (any Error).self)
    let task = Task {
      do {
        try await self.runWatch(resource, namespace: namespace, options: options) { event in
          continuation.yield(event)
        }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  private func runWatch(
    _ resource: ResourceType, namespace: String?, options: WatchOptions,
    deliver: (WatchEvent) -> Void
  ) async throws {
    let timeoutSeconds = options.effectiveTimeoutSeconds
    var query = options.selectors.selectorQuery
    query.append(("watch", "1"))
    if let version = options.resourceVersion { query.append(("resourceVersion", version)) }
    if options.allowBookmarks { query.append(("allowWatchBookmarks", "true")) }
    query.append(("timeoutSeconds", String(timeoutSeconds)))
    let request = Request(
      method: .GET, path: resource.collectionPath(namespace: namespace), query: query)
    // The server closes the watch at timeoutSeconds; the deadline only catches a server
    // that silently stopped talking.
    let deadline = NIODeadline.now() + .seconds(Int64(timeoutSeconds) + 30)
    let response = try await open(request, deadline: deadline)
    var splitter = JSONFrameSplitter()
    do {
      for try await chunk in response.body {
        splitter.append(chunk.readableBytesView)
        while let frame = try splitter.nextValue() {
          deliver(try Self.watchEvent(frame, resource: resource))
        }
      }
    } catch let error as KubeError {
      throw error
    } catch let error as JSONError {
      throw KubeError.invalidResponse("watch of \(resource.versionedName): \(error)")
    } catch {
      if Task.isCancelled { throw CancellationError() }
      throw Self.transportError(error, request)
    }
    if splitter.hasPartialFrame {
      throw KubeError.transport("watch of \(resource.versionedName) ended inside an event")
    }
  }

  static func watchEvent(_ frame: Value, resource: ResourceType) throws(KubeError) -> WatchEvent {
    guard let type = frame["type"]?.stringValue, let object = frame["object"] else {
      throw .invalidResponse(
        "watch event without type or object: "
          + JSON.serialize(Redaction.secretValues(in: frame)).prefix(512))
    }
    let typed = { withTypeMeta(object, apiVersion: resource.apiVersion, kind: resource.kind) }
    switch type {
    case "ADDED": return .added(typed())
    case "MODIFIED": return .modified(typed())
    case "DELETED": return .deleted(typed())
    case "BOOKMARK":
      return .bookmark(
        resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue ?? "")
    case "ERROR":
      throw KubeError.from(APIStatus(watchError: object))
    default:
      throw .invalidResponse("unknown watch event type \(type)")
    }
  }
}
