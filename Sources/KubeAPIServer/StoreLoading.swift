import Foundation
import KubeModel
import SyncValue

/// What a restart keeps.
public enum RestartMode: Sendable {
  /// Objects and watch history survive: clients resume their watches.
  case keepingState
  /// Objects survive but history is lost: resuming watches get 410 Expired.
  case losingHistory
  /// Back to the preloaded objects, history lost: as if etcd had been restored.
  case losingObjects
}

extension Store {
  static let defaultNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

  /// Stores the given objects as they are (keeping uid, timestamps and status), creating
  /// the namespaces they name; CRDs go first so that their custom resources load too.
  func load(_ items: [Value], remember: Bool) throws(APIStatus) {
    try locked { () throws(APIStatus) in
      if remember { initialObjects = items }
      try loadLocked(items)
    }
  }

  func loadLocked(_ items: [Value]) throws(APIStatus) {
    func rank(_ item: Value) -> Int {
      switch item["kind"]?.stringValue {
      case "CustomResourceDefinition": return 0
      case "Namespace": return 1
      default: return 2
      }
    }
    for name in Self.defaultNamespaces where !namespaceExistsLocked(name) {
      try createLocked(
        namespacesType, namespace: "",
        body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
        loading: true)
    }
    for item in items.enumerated().sorted(by: {
      (rank($0.element), $0.offset) < (rank($1.element), $1.offset)
    }) {
      let object = item.element
      guard let apiVersion = object["apiVersion"]?.stringValue,
        let kind = object["kind"]?.stringValue,
        let resource = catalog.resource(forAPIVersion: apiVersion, kind: kind)
      else {
        throw .badRequest(
          "cannot load object \(item.offset): no resource serves apiVersion "
            + "\(object["apiVersion"].map { JSON.serialize($0) } ?? "?") kind "
            + "\(object["kind"].map { JSON.serialize($0) } ?? "?")")
      }
      let namespace =
        resource.namespaced
        ? (object["metadata"]?["namespace"]?.stringValue ?? "default") : ""
      if resource.namespaced, !namespaceExistsLocked(namespace) {
        try createLocked(
          namespacesType, namespace: "",
          body: [
            "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)],
          ],
          loading: true)
      }
      try createLocked(resource, namespace: namespace, body: object, loading: true)
    }
  }

  /// Applies a restart's loss of state.
  func reset(_ mode: RestartMode) {
    lockedNoThrow {
      switch mode {
      case .keepingState:
        return
      case .losingHistory:
        break
      case .losingObjects:
        objects = [:]
        sortedKeys = [:]
        catalog = Catalog()
        try? loadLocked(initialObjects)
      }
      history.removeAll()
      historyFloor = revision
    }
  }
}

/// Reads the objects of a JSON or YAML file: a `kind: List` (or any `…List` with
/// `items`), a single object, or a YAML stream of either.
public func loadObjects(fromFile path: String) throws -> [Value] {
  let text = try String(contentsOfFile: path, encoding: .utf8)
  let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
  let documents =
    trimmed.first == "{" || trimmed.first == "[" ? [try JSON.parse(text)] : try YAML.parseAll(text)
  return documents.flatMap(listItems)
}

func listItems(_ document: Value) -> [Value] {
  if case .array(let items) = document { return items.flatMap(listItems) }
  if let kind = document["kind"]?.stringValue, kind.hasSuffix("List"),
    let items = document["items"]?.arrayValue
  {
    return items.flatMap(listItems)
  }
  return document == .null ? [] : [document]
}

enum Base64 {
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

  static func decode(_ text: String) -> [UInt8]? {
    var padded = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    while padded.utf8.count % 4 != 0 { padded += "=" }
    return Data(base64Encoded: padded).map { Array($0) }
  }
}
