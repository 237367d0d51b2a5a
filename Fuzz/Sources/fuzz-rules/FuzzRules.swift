import FuzzSupport
import SyncCompile
import SyncDriver
import SyncProgram
import SyncRuntime
import SyncSyntax
import SyncValue

/// Makes the fixed inputs before the first input, outside leak checking.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzerArguments) -> CInt {
  withoutLeakChecking {
    _ = fixedEvaluator
    _ = sampleObjects
  }
  return 0
}

/// Text as a rule file, through the lexer, parser, import resolution (the embedded
/// stdlib), checker and compiler: no trap, diagnostics that point into their files and
/// render in every format, a program exactly when there is no error, which disassembles
/// and runs over a few fixed objects.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
  // Relative imports resolve in a directory that does not exist.
  let ruleSet = RuleSet.load(text: text, path: "/nonexistent-syncrules-fuzz/rules.sync")
  require(
    (ruleSet.program == nil) == ruleSet.hasErrors,
    "a program \(ruleSet.program == nil ? "missing without" : "made despite") errors")
  for diagnostic in ruleSet.diagnostics {
    let range = diagnostic.range
    require(range.fileID < ruleSet.files.files.count, "\(diagnostic) names no loaded file")
    let count = ruleSet.files.file(range.fileID).bytes.count
    require(
      0 <= range.start && range.start <= range.end && range.end <= count,
      "\(diagnostic.code) at \(range.start)..<\(range.end) of a \(count)-byte file")
    require(!diagnostic.message.isEmpty, "\(diagnostic.code) without a message")
  }
  for format in DiagnosticFormat.allCases {
    for color in [false, true] {
      _ = DiagnosticRenderer(files: ruleSet.files, format: format, color: color)
        .render(ruleSet.diagnostics)
    }
  }
  guard let program = ruleSet.program else { return 0 }
  require(!Disassembler.render(program).isEmpty, "an empty disassembly")
  let evaluator = Evaluator(program: program)
  for object in sampleObjects {
    if case .rewritten(let result, _) = evaluator.evaluate(object) {
      requireJSONRoundTrip(result, "a rewritten object")
    }
  }
  return 0
}

/// Objects of the kinds rules most often name, with the fields they most often edit.
private let sampleObjects: [Value] = [
  #"""
  {"apiVersion":"apps/v1","kind":"Deployment",
   "metadata":{"name":"web","namespace":"shop","labels":{"app":"web","tier":"frontend"},
     "annotations":{"dr.example.com/sync":"true"},"generation":3,"uid":"u-1"},
   "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
     "template":{"metadata":{"labels":{"app":"web"}},
       "spec":{"containers":[{"name":"app","image":"docker.io/library/web:1",
         "env":[{"name":"MODE","value":"prod"}],"ports":[{"containerPort":8080}]},
         {"name":"debug","image":"busybox"}],
         "tolerations":[{"key":"a","operator":"Exists"}],"nodeSelector":{"zone":"a"}}}},
   "status":{"replicas":3}}
  """#,
  #"""
  {"apiVersion":"v1","kind":"ConfigMap",
   "metadata":{"name":"settings","namespace":"shop","labels":{"app.kubernetes.io/name":"s"}},
   "data":{"mode":"fast","url":"https://prod.example.com"}}
  """#,
  #"""
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"front","namespace":"shop"},
   "spec":{"type":"NodePort","clusterIP":"10.0.0.1","ports":[{"port":80,"nodePort":30080}],
     "selector":{"app":"web"}}}
  """#,
  #"""
  {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly","namespace":"ops"},
   "spec":{"schedule":"0 0 * * *","jobTemplate":{"spec":{"template":{"spec":{
     "containers":[{"name":"job","image":"job:1"}],"restartPolicy":"Never"}}}}}}
  """#,
  #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":1}}"#,
].map { text in
  guard let value = try? JSON.parse(text) else { fatalError("a sample object does not parse") }
  return value
}
