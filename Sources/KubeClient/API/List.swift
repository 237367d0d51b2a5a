import KubeModel
import SyncValue

/// The objects of one list call, every page included.
public struct ObjectList: Sendable {
  /// Each with `apiVersion` and `kind` set (the server leaves them out of list items).
  public var items: [Value]
  /// The list's `metadata.resourceVersion`: watch from here to see every later change.
  public var resourceVersion: String

  public init(items: [Value], resourceVersion: String) {
    self.items = items
    self.resourceVersion = resourceVersion
  }
}

/// Narrows a list or watch.
public struct ListOptions: Sendable {
  public var labelSelector: String?
  public var fieldSelector: String?
  /// Objects per page (`limit`); nil reads everything in one response.
  public var pageSize: Int? = 500

  public init(labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int? = 500) {
    self.labelSelector = labelSelector
    self.fieldSelector = fieldSelector
    self.pageSize = pageSize
  }

  var selectorQuery: [(String, String)] {
    var query: [(String, String)] = []
    if let labelSelector { query.append(("labelSelector", labelSelector)) }
    if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
    return query
  }
}

extension KubeClient {
  /// Lists every object of `resource`, page by page, as one consistent snapshot.
  ///
  /// A quorum read (no `resourceVersion`), so the result is never older than what the
  /// caller has seen. When a continue token expires (410) between pages the list starts
  /// over; after three such restarts it falls back to a single unpaged request.
  ///
  /// - Parameter namespace: nil lists all namespaces (or a cluster-scoped resource).
  public func list(
    _ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()
  ) async throws(KubeError) -> ObjectList {
    var items: [Value] = []
    let version = try await listPages(resource, namespace: namespace, options: options) {
      page, index in
      if index == 0 { items.removeAll(keepingCapacity: true) }
      items += page
    }
    return ObjectList(items: items, resourceVersion: version)
  }

  /// Lists page by page (`limit`/`continue`), handing each page's items to `body` as it
  /// arrives, so that a caller keeping less than the objects never holds a whole large
  /// list. Returns the list's resourceVersion.
  ///
  /// When a continue token expires (410) between pages the list starts over: `body` is
  /// then called with page index 0 again, and must forget what it was given before.
  ///
  /// - Parameter began: called with the first page's resourceVersion before `body` sees
  ///   the page (again when the list starts over). Every page of a paged list is of that
  ///   version's snapshot, so a watch from it, started while the pages are read, misses
  ///   nothing that changes meanwhile.
  public func listPages(
    _ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions(),
    began: (_ resourceVersion: String) async throws(KubeError) -> Void = { _ in },
    _ body: (_ items: [Value], _ index: Int) async throws(KubeError) -> Void
  ) async throws(KubeError) -> String {
    var restarts = 0
    while true {
      do {
        let pageSize = restarts >= 3 ? nil : options.pageSize
        return try await listPaged(
          resource, namespace: namespace, options, pageSize: pageSize, began: began, body)
      } catch .expired where restarts < 3 {
        restarts += 1
      }
    }
  }

  private func listPaged(
    _ resource: ResourceType, namespace: String?, _ options: ListOptions, pageSize: Int?,
    began: (_ resourceVersion: String) async throws(KubeError) -> Void,
    _ body: (_ items: [Value], _ index: Int) async throws(KubeError) -> Void
  ) async throws(KubeError) -> String {
    var continueToken: String?
    var index = 0
    let kind = resource.kind
    repeat {
      var query = options.selectorQuery
      if let pageSize { query.append(("limit", String(pageSize))) }
      if let continueToken { query.append(("continue", continueToken)) }
      let page = try await send(
        Request(method: .GET, path: resource.collectionPath(namespace: namespace), query: query)
      ).json()
      guard let pageItems = page["items"] else {
        throw .invalidResponse("list of \(resource.versionedName) has no items")
      }
      let metadata = page["metadata"]
      if index == 0 { try await began(metadata?["resourceVersion"]?.stringValue ?? "") }
      try await body(
        (pageItems.arrayValue ?? []).map {
          Self.withTypeMeta($0, apiVersion: resource.apiVersion, kind: kind)
        }, index)
      index += 1
      continueToken = metadata?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
      if continueToken == nil { return metadata?["resourceVersion"]?.stringValue ?? "" }
    } while true
  }

  /// Puts `apiVersion` and `kind` first in `object` when it lacks them, as list items do.
  static func withTypeMeta(_ object: Value, apiVersion: String, kind: String) -> Value {
    guard case .object(var members) = object else { return object }
    if members["apiVersion"] != nil, members["kind"] != nil { return object }
    members.removeValue(forKey: "apiVersion")
    members.removeValue(forKey: "kind")
    members.members.insert(
      contentsOf: [
        Member(key: "apiVersion", value: .string(apiVersion)),
        Member(key: "kind", value: .string(kind)),
      ], at: 0)
    return .object(members)
  }
}
