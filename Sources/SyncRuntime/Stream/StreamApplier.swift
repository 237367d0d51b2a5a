import SyncSyntax
import SyncValue

/// Runs rules over object streams and writes the results: the engine of `syncrules apply`.
///
/// Inputs are read one object at a time (a `kind: List` one item at a time), evaluated,
/// and written before the next is read, so memory does not grow with the number of
/// objects and a never-ending `kubectl get -w` pipe works. An object that fails is
/// reported and left out; the stream goes on. Malformed JSON is reported and reading
/// goes on at the next line that starts a value; malformed YAML stops that input after
/// everything before it was written.
///
/// The work on each object is an ``ObjectProcessor``'s; this class chooses a driver for
/// each input — the sequential reader (`StreamApplier+Sequential.swift`) or, for JSON
/// that comes one value per line, the ``LineBatchDriver`` — and owns the output, the
/// counts and the messages. Used by one task at a time, so not `Sendable`.
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
    /// Counts another thread may read during the run (a progress line); nil counts nothing.
    public var progress: StreamProgress?
    /// Let the JSON reader check, but not build, what the rules remove from an object
    /// unread (``Evaluator/projection(apiVersion:kind:)``). The output is the same either
    /// way; off, every object is built whole (for comparing the two).
    public var projects: Bool

    public init(
      inputFormat: InputFormat? = nil, outputFormat: OutputFormat? = nil,
      passthrough: Bool = false, diff: Bool = false, showSecrets: Bool = false,
      flushEachObject: Bool? = nil, jobs: Int = 1, batchBytes: Int = 256 * 1024,
      maximumObjectBytes: Int = JSONReaderLimits.defaultMaximumValueBytes,
      progress: StreamProgress? = nil, projects: Bool = true
    ) {
      self.projects = projects
      self.maximumObjectBytes = maximumObjectBytes
      self.progress = progress
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
  /// What the rules let a reader leave out of each kind's objects (see
  /// ``Evaluator/projection(apiVersion:kind:)``); nil when every object is written as read
  /// (`--passthrough`, `--diff`) or the rules are a plain closure.
  let projectingEvaluator: Evaluator?
  /// The calling thread's projections, kept across inputs.
  lazy var projections: KindProjections? = projectingEvaluator.map(KindProjections.init)
  /// The calling thread's processor, made for the first input (whose format decides the
  /// output's) and kept: its report counts every input.
  var processor: ObjectProcessor?
  /// Parallel workers, made on first use and kept for later inputs.
  var workers: [LineWorker] = []
  /// Write out each object as soon as it is done (for the current input).
  var flushesEachObject = false
  var inputName = ""

  /// Counts per kind of everything read so far.
  public var report: ApplyReport { processor?.report ?? ApplyReport() }
  /// Objects that failed (each also reported through `problem`).
  public internal(set) var failureCount = 0
  /// Malformed places in the inputs (each also reported through `problem`).
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
      projectingEvaluator: nil, problem: problem)
  }

  /// Runs a compiled program (on `options.jobs` threads where the input allows).
  public convenience init(
    options: Options, output: OutputSink, evaluator: Evaluator,
    problem: @escaping (String) -> Void
  ) {
    let writesInput = options.passthrough || options.diff
    self.init(
      options: options, output: output, evaluate: evaluator.evaluate,
      concurrentEvaluate: evaluator.evaluate,
      projectingEvaluator: writesInput || !options.projects ? nil : evaluator,
      problem: problem)
  }

  init(
    options: Options, output: OutputSink, evaluate: @escaping (Value) -> Outcome,
    concurrentEvaluate: (@Sendable (Value) -> Outcome)?,
    projectingEvaluator: Evaluator?,
    problem: @escaping (String) -> Void
  ) {
    self.options = options
    sink = output
    self.evaluate = evaluate
    self.concurrentEvaluate = concurrentEvaluate
    self.projectingEvaluator = projectingEvaluator
    self.problem = problem
  }

  /// Reads `input` to its end and writes the results.
  ///
  /// - Returns: false when the input held malformed text.
  /// - Throws: only when the output cannot be written.
  @discardableResult
  public func apply(_ input: StreamInput) throws(OutputSinkError) -> Bool {
    let (detected, raw) = input.openRaw(forcing: options.inputFormat)
    let processor: ObjectProcessor
    if let existing = self.processor {
      processor = existing
    } else {
      let layout = options.outputFormat.map(OutputLayout.init) ?? OutputLayout(matching: detected)
      processor = ObjectProcessor(
        options: processorOptions, emitter: ObjectEmitter(layout: layout, sink: sink),
        evaluate: evaluate)
      self.processor = processor
    }
    processor.objectCount = 0
    flushesEachObject = options.flushEachObject ?? input.isInteractive
    inputName = input.name
    switch (detected.format, raw.descriptor) {
    case (.json, _) where runsInParallel(detected):
      var driver = LineBatchDriver(
        applier: self, raw: raw, interactive: input.isInteractive)
      return try driver.run()
    case (.json, nil):
      return try applyJSON(JSONStreamReader(bytes: raw.prefix, limits: jsonLimits))
    case (.json, let descriptor?):
      return try applyJSON(
        JSONStreamReader(fileDescriptor: descriptor, prefix: raw.prefix, limits: jsonLimits))
    case (.yaml, nil):
      return try applyYAML(YAMLStreamReader(bytes: raw.prefix, limits: yamlLimits))
    case (.yaml, let descriptor?):
      return try applyYAML(
        YAMLStreamReader(fileDescriptor: descriptor, prefix: raw.prefix, limits: yamlLimits))
    }
  }

  var processorOptions: ObjectProcessor.Options {
    ObjectProcessor.Options(
      passthrough: options.passthrough, diff: options.diff, showSecrets: options.showSecrets,
      progress: options.progress)
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

  // MARK: - Output and problems

  /// After each object (and each List's end): what is done is written out at once when
  /// objects may arrive slowly, else when the buffer is full.
  func objectDone() throws(OutputSinkError) {
    if flushesEachObject {
      try sink.flush()
    } else {
      try sink.flushIfFull()
    }
  }

  /// Counts and reports an object that failed; `objectNumber` counts in the whole input.
  func reportFailure(_ failure: ObjectProcessor.Failure, objectNumber: Int? = nil) {
    failureCount += 1
    problem(
      message(
        for: failure.failure, objectNumber: objectNumber ?? failure.objectNumber,
        identity: failure.identity))
  }

  /// Counts and reports malformed input, after everything before it was written out.
  func reportMalformed(
    _ code: RuntimeErrorCode, line: Int, column: Int, _ message: String
  ) throws(OutputSinkError) {
    malformedInputCount += 1
    options.progress?.malformed()
    try sink.flush()
    problem(inputError(code, line: line, column: column, message))
  }

  // MARK: - Messages

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

  func inputError(_ code: RuntimeErrorCode, line: Int, column: Int, _ message: String) -> String {
    "error[\(code.rawValue)]: \(inputName):\(line):\(column): \(code.inputProblem): \(message)\n"
  }
}
