import ArgumentParser
import SyncImport

/// `syncrules import velero FILE …`.
struct ImportVeleroCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "velero",
    abstract: "Translate a restore resource-modifier ConfigMap (version v1).")

  @OptionGroup var options: ImportOutputOptions

  @Argument(
    help: ArgumentHelp(
      "The ConfigMap (or the rules document it holds), or a directory of them.",
      valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let importer = VeleroImporter(registry: try options.registry())
    try options.finish(registry: importer.registry) { () throws(ImportFailure) in
      try importer.translate(paths: paths)
    }
  }
}
