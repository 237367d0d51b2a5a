import SyncSyntax
import SyncValue

/// Runs rules over object streams and writes the results: the engine of `syncrules apply`.
///
/// Inputs are read one object at a time (a `kind: List` one item at a time), evaluated,
/// and written before the next is read, so memory does not grow with the number of
/// objects and a never-ending `kubectl get -w` pipe works. An object that fails is
/// reported and left out; the stream goes on. Malformed input stops that input after
/// everything before it was written.
///
/// Used by one task at a time, so not `Sendable`.
public final class StreamApplier {
  /// What to write and how.
  public struct Options: Sendable {
    /// nil: tell JSON from YAML by the first bytes of each input.
    public var inputFormat: InputFormat?
    /// nil: the format and style of the first input.
    public var outputFormat: OutputFormat?
    /// Write skipped and unmatched objects unchanged instead of leaving them out.
    public var passthrough: Bool
    /// Write a unified diff per changed object instead of the objects.
    public var diff: Bool
    /// Show the values of Secrets in diffs; by default they are masked (``SecretMask``).
    public var showSecrets: Bool
    /// Write out each object as soon as it is done; nil: when the input is not a regular
    /// file (a pipe or terminal, where objects may arrive slowly).
    public var flushEachObject: Bool?
    /// Threads that parse, evaluate and write JSON values that come one per line (NDJSON,
    /// watch frames) at the same time, the results written in input order; 1 reads
    /// everything on the calling thread. Needs an applier made with an ``Evaluator``.
    public var jobs: Int
    /// Bytes read at a time and handed to one of the `jobs` threads (whole lines);
    /// tests make it small to put the cuts everywhere.
    public var batchBytes: Int
    /// The most bytes one object (a JSON value, a List item, a YAML document) may take.
    public var maximumObjectBytes: Int

    public init(
      inputFormat: InputFormat? = nil, outputFormat: OutputFormat? = nil,
      passthrough: Bool = false, diff: Bool = false, showSecrets: Bool = false,
      flushEachObject: Bool? = nil, jobs: Int = 1, batchBytes: Int = 256 * 1024,
      maximumObjectBytes: Int = JSONReaderLimits.defaultMaximumValueBytes
    ) {
      self.maximumObjectBytes = maximumObjectBytes
      self.inputFormat = inputFormat
      self.outputFormat = outputFormat
      self.passthrough = passthrough
      self.diff = diff
      self.showSecrets = showSecrets
      self.flushEachObject = flushEachObject
      self.jobs = max(1, jobs)
      self.batchBytes = max(1, batchBytes)
    }
  }

  let options: Options
  let sink: OutputSink
  let evaluate: (Value) -> Outcome
  /// The same rules, callable from other threads; nil when made with a plain closure.
  let concurrentEvaluate: (@Sendable (Value) -> Outcome)?
  let problem: (String) -> Void
  /// Set on the appliers of parallel workers: failures are kept here, to be numbered and
  /// reported in input order, instead of going to `problem`.
  var heldFailures: [HeldFailure]?
  /// Parallel workers, made on first use and kept for later inputs.
  var workers: [LineWorker] = []
  var emitter: ObjectEmitter?
  var flushesEachObject = false
  var inputName = ""
  /// 1-based position of the current object in the current input, for messages.
  var objectNumber = 0

  /// Counts per kind of everything read so far.
  public internal(set) var report = ApplyReport()
  /// Objects that failed (each also reported through `problem`).
  public internal(set) var failureCount = 0
  /// Inputs that stopped at malformed text.
  public internal(set) var malformedInputCount = 0
  /// Objects that `options.jobs` threads read, evaluated and wrote (the rest were done on
  /// the calling thread): tells whether an input took the parallel path.
  public internal(set) var objectsDoneInParallel = 0

  /// True when the run should exit with status 1.
  public var hasFailures: Bool { failureCount > 0 || malformedInputCount > 0 }

  /// - Parameters:
  ///   - output: where objects (or diffs) go.
  ///   - evaluate: the rules, usually ``Evaluator/evaluate(_:)``.
  ///   - problem: receives each failure message, one or more complete lines.
  ///
  /// A plain closure runs on the calling thread only: `options.jobs` is not used.
  public convenience init(
    options: Options, output: OutputSink, evaluate: @escaping (Value) -> Outcome,
    problem: @escaping (String) -> Void
  ) {
    self.init(
      options: options, output: output, evaluate: evaluate, concurrentEvaluate: nil,
      problem: problem)
  }

  /// Runs a compiled program (on `options.jobs` threads where the input allows).
  public convenience init(
    options: Options, output: OutputSink, evaluator: Evaluator,
    problem: @escaping (String) -> Void
  ) {
    self.init(
      options: options, output: output, evaluate: evaluator.evaluate,
      concurrentEvaluate: evaluator.evaluate, problem: problem)
  }

  init(
    options: Options, output: OutputSink, evaluate: @escaping (Value) -> Outcome,
    concurrentEvaluate: (@Sendable (Value) -> Outcome)?, problem: @escaping (String) -> Void
  ) {
    self.options = options
    sink = output
    self.evaluate = evaluate
    self.concurrentEvaluate = concurrentEvaluate
    self.problem = problem
  }

  /// Reads `input` to its end (or to malformed text) and writes the results.
  ///
  /// - Returns: false when malformed input stopped it.
  /// - Throws: only when the output cannot be written.
  @discardableResult
  public func apply(_ input: StreamInput) throws(OutputSinkError) -> Bool {
    let (detected, raw) = input.openRaw(forcing: options.inputFormat)
    if emitter == nil {
      let layout = options.outputFormat.map(OutputLayout.init) ?? OutputLayout(matching: detected)
      emitter = ObjectEmitter(layout: layout, sink: sink)
    }
    flushesEachObject = options.flushEachObject ?? input.isInteractive
    inputName = input.name
    objectNumber = 0
    switch (detected.format, raw.descriptor) {
    case (.json, _) where runsInParallel(detected):
      return try applyLinesInParallel(raw, interactive: input.isInteractive)
    case (.json, nil): return try applyJSON(JSONStreamReader(bytes: raw.prefix, limits: jsonLimits))
    case (.json, let descriptor?):
      return try applyJSON(
        JSONStreamReader(fileDescriptor: descriptor, prefix: raw.prefix, limits: jsonLimits))
    case (.yaml, nil): return try applyYAML(YAMLStreamReader(bytes: raw.prefix, limits: yamlLimits))
    case (.yaml, let descriptor?):
      return try applyYAML(
        YAMLStreamReader(fileDescriptor: descriptor, prefix: raw.prefix, limits: yamlLimits))
    }
  }

  var jsonLimits: JSONReaderLimits {
    JSONReaderLimits(maximumValueBytes: options.maximumObjectBytes)
  }

  var yamlLimits: YAMLReaderLimits {
    YAMLReaderLimits(maxDocumentBytes: options.maximumObjectBytes)
  }

  /// Writes out everything still buffered.
  public func finish() throws(OutputSinkError) {
    try sink.flush()
  }

  // MARK: - Objects

  /// Where an object sits, which decides how it is written.
  enum Place {
    case document
    case item
    /// The object of a watch frame; the other members of the frame are kept.
    case frame(ObjectValue)
  }

  /// Evaluates one object and writes what the options say.
  ///
  /// - Parameter duplicate: a key the object's text holds twice; the object then fails
  ///   without being evaluated, since its rules and the API server could each see a
  ///   different copy.
  func process(
    _ object: Value, at place: Place, duplicate: JSONDuplicateKey? = nil
  ) throws(OutputSinkError) {
    objectNumber += 1
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
    switch outcome {
    case .rewritten(let rewritten, _):
      if options.diff {
        try writeDiff(object, rewritten)
      } else {
        try write(rewritten, at: place)
      }
    case .skipped, .unmatched:
      if options.passthrough && !options.diff { try write(object, at: place) }
    case .dropped:
      if options.diff { try writeDiff(object, nil) }
    case .failed(let failure):
      failureCount += 1
      if heldFailures != nil {
        heldFailures?.append(
          HeldFailure(
            objectNumber: objectNumber, outputOffset: sink.bufferedByteCount,
            problem: .object(failure, identity: identity(of: object))))
      } else {
        problem(message(for: failure, objectNumber: objectNumber, identity: identity(of: object)))
      }
    }
    if flushesEachObject { try emitter?.flush() }
  }

  private func write(_ object: Value, at place: Place) throws(OutputSinkError) {
    guard let emitter else { return }
    switch place {
    case .document:
      try emitter.writeDocument(object)
    case .item:
      try emitter.writeItem(object)
    case .frame(var frame):
      frame["object"] = object
      try emitter.writeDocument(.object(frame))
    }
  }

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

  private func writeDiff(_ source: Value, _ rewritten: Value?) throws(OutputSinkError) {
    guard let emitter else { return }
    var shown = (before: Optional(source), after: rewritten)
    if !options.showSecrets { shown = SecretMask.masking(before: source, after: rewritten) }
    let before = shown.before.map { render($0, for: emitter.layout) } ?? []
    let after = shown.after.map { render($0, for: emitter.layout) } ?? []
    let name = Self.diffName(source)
    let diff = LineDiff.unified(
      old: before, new: after, oldName: "a/" + name,
      newName: rewritten == nil ? "/dev/null" : "b/" + name)
    if !diff.isEmpty { try emitter.writeText(diff) }
  }

  /// Diffs read best line by line: YAML for YAML output, pretty JSON otherwise.
  private func render(_ value: Value, for layout: OutputLayout) -> [UInt8] {
    var bytes: [UInt8] = []
    if layout == .yaml {
      YAMLWriter().write(value, to: &bytes)
    } else {
      var writer = JSONWriter(style: .pretty(indent: 4), reservingCapacity: 16 * 1024)
      writer.write(value)
      writer.newline()
      bytes = writer.bytes
    }
    return bytes
  }

  // MARK: - Messages

  /// ` (apps/v1 Deployment prod/web)`, or nothing when the object has no kind.
  func identity(of object: Value) -> String {
    guard let kind = object["kind"]?.stringValue else { return "" }
    let apiVersion = object["apiVersion"]?.stringValue.map { $0 + " " } ?? ""
    let metadata = object["metadata"]
    var name = metadata?["name"]?.stringValue ?? "(no name)"
    if let namespace = metadata?["namespace"]?.stringValue, !namespace.isEmpty {
      name = namespace + "/" + name
    }
    return " (\(apiVersion)\(kind) \(name))"
  }

  /// Two lines: the error and object (`object 3 (apps/v1 Deployment prod/web)`), then the
  /// rule and where it is written.
  func message(for failure: ObjectFailure, objectNumber: Int, identity: String) -> String {
    let object = "\(inputName): object \(objectNumber)\(identity)"
    var text = "error[\(failure.code.rawValue)]: \(object): \(failure.message)\n"
    if let location = failure.location {
      let rule = failure.rule.map { " in rule `\($0)`" } ?? ""
      text += "  --> \(location)\(rule): \(location.excerpt)\n"
    }
    return text
  }

  func inputError(_ code: DiagnosticCode, line: Int, column: Int, _ message: String) -> String {
    let what: String
    switch code {
    case .malformedJSON: what = "malformed JSON"
    case .malformedYAML: what = "malformed YAML"
    case .unsupportedYAML: what = "unsupported YAML"
    default: what = "bad input"
    }
    return "error[\(code.rawValue)]: \(inputName):\(line):\(column): \(what): \(message)\n"
  }
}
