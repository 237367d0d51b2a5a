import Foundation
import TestSupport
import Testing

/// One ```console block of the docs: shell commands (`$ …`) and what each prints.
///
/// The block is the test. It reads as a terminal session a user can paste, and the
/// test runs it in a scratch copy of `docs/` and `stdlib-rules/` (so a sample can only
/// use what the repository ships), with the built `syncrules` and `kube-api-server`
/// first on `PATH`. The files a sample needs are written by the sample itself, with a
/// here-document (`cat > dr.sync <<'EOF'`); a command that goes on past a line ends
/// it with `\` or continues on lines that start with the `> ` prompt. What a command prints is compared with the
/// lines under it, standard output and standard error merged as a terminal shows them;
/// `$ echo $?` shows the previous command's exit status. In expected lines, `…` stands
/// for any text, and a line that is only `…` for any number of lines.
struct ConsoleSample: CustomTestStringConvertible, Sendable {
  struct Command: Sendable {
    /// The command as the shell reads it (continuation lines and here-documents
    /// included).
    var text: String
    /// The lines it must print.
    var expected: [String]
  }

  /// `docs/apply.md:225`: where the block's first command is.
  var location: String
  var commands: [Command]

  var testDescription: String { location }

  /// Every ```console block of README.md and docs/*.md.
  static func all() throws -> [ConsoleSample] {
    var documents = ["README.md"]
    let names = try FileManager.default.contentsOfDirectory(atPath: Repository.path("docs"))
    documents += names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    var samples: [ConsoleSample] = []
    for document in documents {
      let text = try String(contentsOf: Repository.url(document), encoding: .utf8)
      samples += try parse(text, document: document)
    }
    return samples
  }

  /// The ```console blocks of one markdown text.
  static func parse(_ text: String, document: String) throws -> [ConsoleSample] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var samples: [ConsoleSample] = []
    var index = 0
    while index < lines.count {
      guard lines[index] == "```console" else {
        index += 1
        continue
      }
      let start = index + 1
      var end = start
      while end < lines.count && lines[end] != "```" { end += 1 }
      guard end < lines.count else {
        throw SampleError("\(document):\(index + 1): the ```console block is not closed")
      }
      samples.append(
        try block(Array(lines[start..<end]), location: "\(document):\(start + 1)"))
      index = end + 1
    }
    return samples
  }

  /// One block's commands: a `$ ` line starts one; a line ending in `\` continues it; a
  /// here-document (`<<'EOF'` or `<<EOF`) runs to its terminator line.
  static func block(_ lines: [String], location: String) throws -> ConsoleSample {
    var commands: [Command] = []
    var index = 0
    while index < lines.count {
      let line = lines[index]
      guard line.hasPrefix("$ ") else {
        guard !commands.isEmpty else {
          throw SampleError("\(location): output before the first `$ ` command: \(line)")
        }
        commands[commands.count - 1].expected.append(line)
        index += 1
        continue
      }
      var text = String(line.dropFirst(2))
      var continued = text.hasSuffix("\\")
      var terminators = hereDocumentTerminators(text)
      while continued || !terminators.isEmpty {
        index += 1
        guard index < lines.count else {
          throw SampleError("\(location): the command `\(line)` is not finished")
        }
        let next = lines[index]
        text += "\n" + next
        if let open = terminators.first {
          if next == open { terminators.removeFirst() }
          continued = false
        } else {
          continued = next.hasSuffix("\\")
          terminators = hereDocumentTerminators(next)
        }
      }
      // `> ` lines are the shell's continuation prompt: a quote or pipe left open.
      while index + 1 < lines.count && lines[index + 1].hasPrefix("> ") {
        index += 1
        text += "\n" + lines[index].dropFirst(2)
      }
      commands.append(Command(text: text, expected: []))
      index += 1
    }
    return ConsoleSample(location: location, commands: commands)
  }

  /// `EOF` for `cat > a <<'EOF'`: the words that end this line's here-documents.
  private static func hereDocumentTerminators(_ line: String) -> [String] {
    line.matches(of: /<<-?'?([A-Za-z_]+)'?/).map { String($0.output.1) }
  }
}

/// A malformed sample block.
struct SampleError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
