import ArgumentParser
import SyncValue

/// `-o text|json|yaml` of the commands that print a result (`explain`, `test`, `diff`):
/// text for people, a versioned document (`apiVersion: syncrules.io/v1`) for tools.
/// docs/machine-output.md describes the documents.
enum ResultFormat: String, CaseIterable, ExpressibleByArgument {
  case text
  case json
  case yaml

  /// `document` as this format prints it: pretty JSON as kubectl prints it, or YAML.
  func render(_ document: Value) -> String {
    switch self {
    case .text, .json: JSON.serialize(document, pretty: true) + "\n"
    case .yaml: YAML.serialize(document)
    }
  }
}
