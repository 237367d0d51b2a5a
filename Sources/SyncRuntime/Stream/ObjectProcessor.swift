import SyncSyntax
import SyncValue

/// Evaluates objects and renders what the options say into an output buffer: the work
/// every reader of `apply` shares, whether it runs on the calling thread or on a worker.
///
/// It does no I/O (it appends to its emitter's buffer; the driver that owns the sink
/// writes it out) and reports nothing: a failed object is returned, so that a worker can
/// hold it until the objects before it in the input are written. Used by one thread at a
/// time.
final class ObjectProcessor {
  /// What to write for each outcome.
  struct Options {
    /// Write skipped and unmatched objects unchanged.
    var passthrough: Bool
    /// Write a unified diff per changed or dropped object instead of objects.
    var diff: Bool
    /// Show Secret values in diffs instead of masking them.
    var showSecrets: Bool
    /// Counted into once per object, for a progress line.
    var progress: StreamProgress? = nil
  }

  /// Where an object sits, which decides how it is written.
  enum Place {
    case document
    case item
    /// The object of a watch frame; the other members of the frame are kept.
    case frame(ObjectValue)
  }

  /// An object that failed: its number in the input, why, and what it was.
  struct Failure {
    var objectNumber: Int
    var failure: ObjectFailure
    /// ` (apps/v1 Deployment prod/web)`, or nothing when the object has no kind.
    var identity: String
  }

  let options: Options
  let evaluate: (Value) -> Outcome
  let emitter: ObjectEmitter
  /// Counts per kind of everything processed.
  var report = ApplyReport()
  /// Objects processed in the current input; the number of the last one.
  var objectCount = 0

  init(options: Options, emitter: ObjectEmitter, evaluate: @escaping (Value) -> Outcome) {
    self.options = options
    self.emitter = emitter
    self.evaluate = evaluate
  }

  /// Evaluates one object and renders the result.
  ///
  /// - Parameter duplicate: a key the object's text holds twice; the object then fails
  ///   without being evaluated, since its rules and the API server could each see a
  ///   different copy.
  func process(_ object: Value, at place: Place, duplicate: JSONDuplicateKey? = nil) -> Failure? {
    objectCount += 1
    let outcome: Outcome
    if let duplicate {
      outcome = .failed(
        ObjectFailure(
          code: .duplicateKey,
          message: "\(duplicate); an object whose text holds a key twice is never synced"))
    } else {
      outcome = evaluate(object)
    }
    report.record(object, Disposition(outcome))
    if let progress = options.progress {
      if case .failed = outcome {
        progress.processed(failed: true)
      } else {
        progress.processed(failed: false)
      }
    }
    switch outcome {
    case .rewritten(let rewritten, _):
      if options.diff {
        writeDiff(object, rewritten)
      } else {
        write(rewritten, at: place)
      }
    case .skipped, .unmatched:
      if options.passthrough && !options.diff { write(object, at: place) }
    case .dropped:
      if options.diff { writeDiff(object, nil) }
    case .failed(let failure):
      return Failure(
        objectNumber: objectCount, failure: failure, identity: Self.identity(of: object))
    }
    return nil
  }

  /// A top-level value: a watch frame (whose object is processed, and which is written
  /// around it exactly when the object would be), or an object.
  ///
  /// BOOKMARK and ERROR frames carry no object to rewrite: they pass through unchanged
  /// and uncounted.
  func processTopLevel(_ value: Value, duplicate: JSONDuplicateKey? = nil) -> Failure? {
    guard case .object(let frame) = value, frame.count == 2,
      let type = frame["type"]?.stringValue, Self.watchEventTypes.contains(type),
      let object = frame["object"]
    else {
      return process(value, at: .document, duplicate: duplicate)
    }
    if type == "BOOKMARK" || type == "ERROR" {
      if !options.diff { emitter.writeDocument(value) }
      return nil
    }
    return process(object, at: .frame(frame), duplicate: duplicate)
  }

  /// The frame types `kubectl get -w --output-watch-events` prints.
  static let watchEventTypes: Set<String> = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]

  /// Opens a List in the output (not in a diff): `head` is its envelope before `items`,
  /// nil for a bare array.
  func beginList(head: [Member]?) {
    if !options.diff { emitter.beginList(head: head) }
  }

  /// Closes the open List; `tail` is its envelope after `items`.
  func endList(tail: [Member]) {
    if !options.diff { emitter.endList(tail: tail) }
  }

  /// A document that could not be read as a value at all (unsupported YAML): counted as
  /// an object that failed.
  func countUnreadableDocument() -> Int {
    objectCount += 1
    report.record(apiVersion: "", kind: "", .failed)
    options.progress?.processed(failed: true)
    return objectCount
  }

  private func write(_ object: Value, at place: Place) {
    switch place {
    case .document:
      emitter.writeDocument(object)
    case .item:
      emitter.writeItem(object)
    case .frame(var frame):
      frame["object"] = object
      emitter.writeDocument(.object(frame))
    }
  }

  // MARK: - Diffs

  /// `a/Deployment/prod/web`-style names for diff headers.
  static func diffName(_ object: Value) -> String {
    let kind = object["kind"]?.stringValue ?? "object"
    let metadata = object["metadata"]
    let name = metadata?["name"]?.stringValue ?? ""
    if let namespace = metadata?["namespace"]?.stringValue, !namespace.isEmpty {
      return "\(kind)/\(namespace)/\(name)"
    }
    return "\(kind)/\(name)"
  }

  private func writeDiff(_ source: Value, _ rewritten: Value?) {
    var shown = (before: Optional(source), after: rewritten)
    if !options.showSecrets { shown = SecretMask.masking(before: source, after: rewritten) }
    let before = shown.before.map { render($0) } ?? []
    let after = shown.after.map { render($0) } ?? []
    let name = Self.diffName(source)
    let diff = LineDiff.unified(
      old: before, new: after, oldName: "a/" + name,
      newName: rewritten == nil ? "/dev/null" : "b/" + name)
    if !diff.isEmpty { emitter.writeText(diff) }
  }

  /// Diffs read best line by line: YAML for YAML output, pretty JSON otherwise.
  private func render(_ value: Value) -> [UInt8] {
    var bytes: [UInt8] = []
    if emitter.layout == .yaml {
      YAMLWriter().write(value, to: &bytes)
    } else {
      var writer = JSONWriter(style: .pretty(indent: 4), reservingCapacity: 16 * 1024)
      writer.write(value)
      writer.newline()
      bytes = writer.bytes
    }
    return bytes
  }

  /// ` (apps/v1 Deployment prod/web)`, or nothing when the object has no kind.
  static func identity(of object: Value) -> String {
    guard let kind = object["kind"]?.stringValue else { return "" }
    let apiVersion = object["apiVersion"]?.stringValue.map { $0 + " " } ?? ""
    let metadata = object["metadata"]
    var name = metadata?["name"]?.stringValue ?? "(no name)"
    if let namespace = metadata?["namespace"]?.stringValue, !namespace.isEmpty {
      name = namespace + "/" + name
    }
    return " (\(apiVersion)\(kind) \(name))"
  }
}
