import SyncSchema
import SyncSyntax

extension CheckedProgram {
  /// The schema node at `path` in `kind`, when the schema describes it.
  public func schemaNode(at path: Path, in kind: KindInfo) -> SchemaNode? {
    var ignored: [Diagnostic] = []
    guard
      case .node(let node)? = SchemaPathResolver.resolve(
        path, in: KindContext(info: kind), diagnostics: &ignored)
    else { return nil }
    return node
  }
}
