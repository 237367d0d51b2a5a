import SyncValue

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One API group package's part of the built-in schemas, as generated into
/// `Generated/BuiltInSchemaData+<Group>.swift`.
struct BuiltInSchemaGroup: Sendable {
  /// A resource kind whose schema is one of ``definitions``.
  struct Kind: Sendable {
    var group: String
    var version: String
    var kind: String
    var namespaced: Bool
    /// The definition's name, such as `io.k8s.api.apps.v1.Deployment`.
    var definition: String
  }

  var kinds: [Kind]
  /// The definitions as `"name": {…}` entries, each starting on a line that begins
  /// with `"`; the schema's own lines are indented, and JSON strings never hold a raw
  /// line feed, so that is the only place a line can begin with a quote.
  var definitions: StaticString
}

/// Reads ``BuiltInSchemaData``.
enum BuiltInSchemas {
  static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

  static func load() -> SchemaRegistry {
    do {
      return try read(BuiltInSchemaData.groups, version: BuiltInSchemaData.kubernetesVersion)
    } catch {
      // The data is generated and covered by tests; failing here is a build defect.
      fatalError("embedded Kubernetes schemas are unreadable: \(error)")
    }
  }

  /// The registry of `groups`. Only the definitions' names are read now; a
  /// definition is parsed when a lookup first reaches it (see ``DefinitionTable``).
  static func read(_ groups: [BuiltInSchemaGroup], version: String) throws(SchemaBuildError)
    -> SchemaRegistry
  {
    var names: [String] = []
    var texts: [(data: StaticString, range: Range<Int>)] = []
    for group in groups {
      for entry in try entries(group.definitions) {
        names.append(entry.name)
        texts.append((group.definitions, entry.range))
      }
    }
    let table = DefinitionTable(names: names) { [texts] table, index in
      do {
        return try definition(
          JSON.parse(bytes(texts[index].data, texts[index].range)), named: table.name(index),
          in: table)
      } catch {
        fatalError("embedded Kubernetes schemas are unreadable: \(error)")
      }
    }
    let source = "built-in (Kubernetes v\(version))"
    var kinds: [KindInfo] = []
    for group in groups {
      for kind in group.kinds {
        guard let index = table.indexByName[kind.definition] else {
          throw SchemaBuildError(
            path: "kinds", message: "\(kind.kind) names an unknown definition \(kind.definition)")
        }
        kinds.append(
          KindInfo(
            gvk: GroupVersionKind(group: kind.group, version: kind.version, kind: kind.kind),
            namespaced: kind.namespaced, lazySchema: .definition(table, index), source: source))
      }
    }
    let objectMeta = table.indexByName[objectMetaName].map { LazySchema.definition(table, $0) }
    return SchemaRegistry(kubernetesVersion: version, kinds: kinds, objectMeta: objectMeta)

  }

  /// The node of one definition: its schema, named after it.
  private static func definition(
    _ value: Value, named name: String, in table: DefinitionTable
  ) throws(SchemaBuildError) -> SchemaNode {
    let node = try SchemaBuilder(definitions: table).node(from: value, path: name)
    if node.reference != nil {
      throw SchemaBuildError(path: name, message: "a definition cannot be a bare $ref")
    }
    var facets = node.own
    facets.definitionName = name
    return SchemaNode(facets)
  }

  /// The bytes of `range` in `text`.
  static func bytes(_ text: StaticString, _ range: Range<Int>) -> [UInt8] {
    Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)[range])
  }

  /// The `"name": {…}` entries of one group's text: each name, and where its schema is.
  static func entries(_ text: StaticString) throws(SchemaBuildError)
    -> [(name: String, range: Range<Int>)]
  {
    let bytes = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    var starts: [Int] = []
    if let base = bytes.baseAddress {
      var lineStart = 0
      while lineStart < bytes.count {
        if bytes[lineStart] == UInt8(ascii: "\"") { starts.append(lineStart) }
        // memchr: the data is a megabyte, and this runs in every process.
        guard let feed = memchr(base + lineStart, 0x0A, bytes.count - lineStart) else { break }
        lineStart = UnsafePointer<UInt8>(feed.assumingMemoryBound(to: UInt8.self)) - base + 1
      }
    }
    var entries: [(name: String, range: Range<Int>)] = []
    entries.reserveCapacity(starts.count)
    for (number, start) in starts.enumerated() {
      let end = number + 1 < starts.count ? starts[number + 1] : bytes.count
      // `"name": ` — names are plain ASCII, never escaped.
      guard let close = bytes[(start + 1)..<end].firstIndex(of: UInt8(ascii: "\"")),
        bytes[(close + 1)...].starts(with: ": ".utf8)
      else {
        throw SchemaBuildError(path: "", message: "malformed definition entry at byte \(start)")
      }
      let name = String(decoding: bytes[(start + 1)..<close], as: UTF8.self)
      entries.append((name, (close + 3)..<end))
    }
    return entries
  }
}
