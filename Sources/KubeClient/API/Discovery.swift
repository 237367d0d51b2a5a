import KubeModel
import SyncValue

extension ResourceType {
  /// What a resource must allow for syncrules to sync it.
  public static let syncVerbs: Set<String> = ["list", "watch", "get", "create", "patch", "delete"]

  /// Core `v1` namespaces, which the sync creates on the target.
  public static let namespaces = ResourceType(
    group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false)

  /// Core `v1` events, where the sync reports objects it failed to sync (what
  /// `kubectl describe` and `kubectl get events` read).
  public static let events = ResourceType(
    group: "", version: "v1", kind: "Event", plural: "events", namespaced: true)

  /// The collection URL path; nil `namespace` means all namespaces.
  public func collectionPath(namespace: String?) -> String {
    if namespaced, let namespace {
      return "\(groupVersion.path)/namespaces/\(Endpoint.escape(namespace))/\(plural)"
    }
    return "\(groupVersion.path)/\(plural)"
  }

  /// The URL path of one object.
  public func objectPath(namespace: String?, name objectName: String) -> String {
    "\(collectionPath(namespace: namespaced ? namespace : nil))/\(Endpoint.escape(objectName))"
  }
}

/// What discovery found.
public struct Discovery: Sendable {
  /// Resources of each group's preferred version, subresources excluded.
  public var resources: [ResourceType]
  /// Group versions that could not be read (`metrics.k8s.io/v1beta1` answering 503, a
  /// stale aggregated API): their resources are missing from ``resources``.
  public var failures: [(groupVersion: String, error: KubeError)]
  /// True when the server answered the aggregated (single request) form.
  public var aggregated: Bool

  /// The resources that allow every verb in `verbs` (by default what a sync needs).
  public func resources(allowing verbs: Set<String> = ResourceType.syncVerbs) -> [ResourceType] {
    resources.filter { verbs.isSubset(of: Set($0.verbs)) }
  }

  /// The resource serving `kind` in `apiVersion`, if discovery saw it.
  public func resource(apiVersion: String, kind: String) -> ResourceType? {
    resources.first { $0.apiVersion == apiVersion && $0.kind == kind }
  }
}

extension KubeClient {
  static let aggregatedAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"

  /// Finds the resources the server serves, in the aggregated form when it offers it
  /// (two requests) and the classic form otherwise (one per group).
  ///
  /// One group version failing (an aggregated API that is down) is recorded in
  /// ``Discovery/failures`` and does not fail the whole; `/api` or `/apis` failing does.
  ///
  /// - Parameter aggregated: false asks for the classic form only.
  public func discover(aggregated: Bool = true) async throws(KubeError) -> Discovery {
    var result = Discovery(resources: [], failures: [], aggregated: false)
    let accept = aggregated ? Self.aggregatedAccept : "application/json"
    let core = try await send(Request(method: .GET, path: "/api", accept: accept))
    let coreDocument = try core.json()
    if coreDocument["kind"]?.stringValue == "APIGroupDiscoveryList" {
      let groups = try await send(
        Request(method: .GET, path: "/apis", accept: Self.aggregatedAccept)
      ).json()
      result.aggregated = true
      for document in [coreDocument, groups] {
        Self.readAggregated(document, into: &result)
      }
      return result
    }
    var groupVersions: [(group: String, version: String)] = []
    if let version = coreDocument["versions"]?.arrayValue?.first?.stringValue {
      groupVersions.append(("", version))
    }
    let groups = try await send(Request(method: .GET, path: "/apis")).json()
    for group in groups["groups"]?.arrayValue ?? [] {
      guard let name = group["name"]?.stringValue else { continue }
      let preferred =
        group["preferredVersion"]?["version"]?.stringValue
        ?? group["versions"]?.arrayValue?.first?["version"]?.stringValue
      if let preferred { groupVersions.append((name, preferred)) }
    }
    let lists = await withTaskGroup(
      of: (Int, Result<Value, KubeError>).self, returning: [(Int, Result<Value, KubeError>)].self
    ) { tasks in
      for (index, groupVersion) in groupVersions.enumerated() {
        let path = GroupVersion(group: groupVersion.group, version: groupVersion.version).path
        tasks.addTask {
          do throws(KubeError) {
            return (index, .success(try await self.send(Request(method: .GET, path: path)).json()))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      return await tasks.reduce(into: []) { $0.append($1) }
    }
    for (index, outcome) in lists.sorted(by: { $0.0 < $1.0 }) {
      let (group, version) = groupVersions[index]
      switch outcome {
      case .success(let list):
        for entry in list["resources"]?.arrayValue ?? [] {
          guard let name = entry["name"]?.stringValue, !name.contains("/"),
            let kind = entry["kind"]?.stringValue
          else { continue }
          result.resources.append(
            ResourceType(
              group: group, version: version, kind: kind, plural: name,
              namespaced: entry["namespaced"] == .bool(true),
              verbs: (entry["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)))
        }
      case .failure(let error):
        result.failures.append((GroupVersion(group: group, version: version).apiVersion, error))
      }
    }
    return result
  }

  /// Reads an `APIGroupDiscoveryList`: versions are listed most preferred first.
  private static func readAggregated(_ document: Value, into result: inout Discovery) {
    for group in document["items"]?.arrayValue ?? [] {
      let name = group["metadata"]?["name"]?.stringValue ?? ""
      guard let preferred = group["versions"]?.arrayValue?.first,
        let version = preferred["version"]?.stringValue
      else { continue }
      if preferred["freshness"]?.stringValue == "Stale" {
        let groupVersion = GroupVersion(group: name, version: version).apiVersion
        result.failures.append(
          (
            groupVersion,
            .api(
              APIStatus(
                code: 503, reason: "ServiceUnavailable",
                message: "aggregated discovery marks \(groupVersion) as stale"))
          ))
        continue
      }
      for entry in preferred["resources"]?.arrayValue ?? [] {
        guard let plural = entry["resource"]?.stringValue, !plural.contains("/") else { continue }
        let kind = entry["responseKind"]?["kind"]?.stringValue ?? ""
        result.resources.append(
          ResourceType(
            group: name, version: version, kind: kind, plural: plural,
            namespaced: entry["scope"]?.stringValue == "Namespaced",
            verbs: (entry["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)))
      }
    }
  }
}
