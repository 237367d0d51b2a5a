import Foundation
import SyncSchema
import SyncSyntax

/// Where `import "std/NAME"` finds its files.
public protocol StdlibSource: Sendable {
  /// The display path and text of stdlib module `name` (without `.sync`), or nil.
  func module(named name: String) -> (path: String, text: String)?
  /// Every module name, for "did you mean".
  var moduleNames: [String] { get }
}

/// The stdlib read from a directory (the repository's `stdlib-rules/`).
public struct DirectoryStdlib: StdlibSource {
  public let directory: String

  public init(directory: String) {
    self.directory = directory
  }

  public func module(named name: String) -> (path: String, text: String)? {
    let path = directory + "/" + name + ".sync"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return ("std/" + name + ".sync", text)
  }

  public var moduleNames: [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return entries.filter { $0.hasSuffix(".sync") }.map { String($0.dropLast(5)) }.sorted()
  }
}

/// Every rule file of one run, parsed, with imports expanded in place.
public struct LoadedRules: Sendable {
  public var files: SourceManager
  /// Top-level items in application order: each file's items where it is first imported.
  public var items: [Item]
  public var diagnostics: [Diagnostic]
  /// Files named on the command line (after directory expansion), in order.
  public var entryPaths: [String]
}

/// Reads rule files and the files they import.
public struct RuleLoader: Sendable {
  public var stdlib: any StdlibSource

  public init(stdlib: any StdlibSource) {
    self.stdlib = stdlib
  }

  /// Errors about the paths themselves (missing file, unreadable), before any parsing.
  public struct PathError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// Expands directories into their `.sync` files (recursively, sorted by path).
  public static func expand(paths: [String]) throws(PathError) -> [String] {
    var result: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw PathError(path: path, reason: "no such file or directory")
      }
      if isDirectory.boolValue {
        let enumerator = FileManager.default.enumerator(atPath: path)
        var found: [String] = []
        while let entry = enumerator?.nextObject() as? String {
          if entry.hasSuffix(".sync") { found.append(path + "/" + entry) }
        }
        result += found.sorted()
      } else {
        result.append(path)
      }
    }
    return result
  }

  /// Loads the given files (already expanded) into `files`.
  public func load(paths: [String], into files: SourceManager) throws(PathError) -> LoadedRules {
    var state = LoadState(files: files, stdlib: stdlib)
    for path in paths {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw PathError(path: path, reason: "cannot be read as UTF-8 text")
      }
      state.include(path: path, text: text, importedAt: nil)
    }
    return LoadedRules(
      files: files, items: state.items, diagnostics: state.diagnostics, entryPaths: paths)
  }

  /// Loads rule text that does not come from a file (tests, `--rules-text`).
  public func load(path: String, text: String, into files: SourceManager) -> LoadedRules {
    var state = LoadState(files: files, stdlib: stdlib)
    state.include(path: path, text: text, importedAt: nil)
    return LoadedRules(
      files: files, items: state.items, diagnostics: state.diagnostics, entryPaths: [path])
  }
}

private struct LoadState {
  let files: SourceManager
  let stdlib: any StdlibSource
  var items: [Item] = []
  var diagnostics: [Diagnostic] = []
  var included: Set<String> = []
  var includedTexts: Set<String> = []
  var stack: [String] = []
  /// `stack` as the paths are shown: relative where the user wrote them relative.
  var shownStack: [String] = []

  init(files: SourceManager, stdlib: any StdlibSource) {
    self.files = files
    self.stdlib = stdlib
  }

  mutating func include(path: String, text: String, importedAt: SourceRange?) {
    let key = Self.normalize(path)
    // A file is loaded once, also when it arrives by two routes: `check stdlib-rules`
    // names the files that `import "std/…"` also reaches (from the embedded copy).
    guard !included.contains(key), !includedTexts.contains(text) else { return }
    included.insert(key)
    includedTexts.insert(text)
    stack.append(key)
    shownStack.append(path)
    defer {
      stack.removeLast()
      shownStack.removeLast()
    }
    let file = files.add(path: path, text: text)
    let (tree, parseDiagnostics) = Parser.parse(file)
    diagnostics += parseDiagnostics
    for item in tree.items {
      if case .importDecl(let decl) = item {
        resolve(decl, from: path)
      } else {
        items.append(item)
      }
    }
  }

  mutating func resolve(_ decl: ImportDecl, from importer: String) {
    var target = decl.path
    if target.hasSuffix(".sync") { target.removeLast(5) }
    if target.hasPrefix("std/") {
      let name = String(target.dropFirst(4))
      guard let module = stdlib.module(named: name) else {
        let suggestion = closestMatch(to: name, in: stdlib.moduleNames)
        diagnostics.append(
          CheckerMessages.importNotFound(
            decl.path, at: decl.pathRange,
            detail: "there is no stdlib module `\(name)`",
            help: suggestion.map { "did you mean `std/\($0)`?" }))
        return
      }
      includeChecked(path: module.path, text: module.text, decl: decl)
      return
    }
    // Shown as the importer's path was given (relative stays relative), so that a
    // diagnostic in an imported file names it the way the user would.
    let base = (importer as NSString).deletingLastPathComponent
    let path =
      target.hasPrefix("/") || base.isEmpty ? target + ".sync" : base + "/" + target + ".sync"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      diagnostics.append(
        CheckerMessages.importNotFound(
          decl.path, at: decl.pathRange, detail: "no readable file at `\(path)`", help: nil))
      return
    }
    includeChecked(path: path, text: text, decl: decl)
  }

  mutating func includeChecked(path: String, text: String, decl: ImportDecl) {
    if stack.contains(Self.normalize(path)) {
      diagnostics.append(
        CheckerMessages.importCycle(
          decl.path, at: decl.pathRange, chain: shownStack + [path]))
      return
    }
    // Each import is a level of recursion here; the chain is bounded like any nesting.
    guard stack.count < Parser.maximumNestingDepth else {
      diagnostics.append(CheckerMessages.importsNestTooDeep(decl.path, at: decl.pathRange))
      return
    }
    include(path: path, text: text, importedAt: decl.range)
  }

  /// Absolute and standardized, so `a.sync`, `./a.sync` and `/work/a.sync` are one file.
  static func normalize(_ path: String) -> String {
    if path.hasPrefix("std/") { return path }
    let absolute =
      path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return (absolute as NSString).standardizingPath
  }
}

/// The stdlib compiled into the binary (generated from `stdlib-rules/`).
public struct EmbeddedStdlib: StdlibSource {
  public init() {}

  public func module(named name: String) -> (path: String, text: String)? {
    embeddedStdlibModules[name].map { ("std/" + name + ".sync", $0) }
  }

  public var moduleNames: [String] { embeddedStdlibModules.keys.sorted() }

  /// Every embedded module's text, for the test that keeps it equal to `stdlib-rules/`.
  public var modules: [String: String] { embeddedStdlibModules }
}
