import SyncSyntax
import Testing

@Suite struct SeedExampleTests {
  /// The seed configuration from `language.md` parses with no diagnostics.
  @Test func seedParsesCleanly() throws {
    let url = CorpusFile.directory + "/valid/dr-standby.sync"
    let text = try CorpusFile.read(url)
    let file = SourceFile(id: 0, path: url, text: text)
    let (ruleFile, diagnostics) = Parser.parse(file)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    #expect(ruleFile.items.count == 4)
  }
}
