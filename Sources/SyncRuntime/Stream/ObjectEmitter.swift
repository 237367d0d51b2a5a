import SyncValue

/// The concrete layout of the output, once the input's format is known.
enum OutputLayout: Equatable {
  /// JSON values one after another, each followed by a line feed; Lists keep their
  /// envelope.
  case json(JSONWriter.Style)
  /// Compact JSON, one object per line; List envelopes are left out.
  case ndjson
  /// YAML documents with `---` between them.
  case yaml

  init(_ format: OutputFormat) {
    switch format {
    case .json: self = .json(.pretty(indent: 4))
    case .ndjson: self = .ndjson
    case .yaml: self = .yaml
    }
  }

  /// The layout that keeps the input's format and style.
  init(matching detected: DetectedFormat) {
    switch detected.format {
    case .json: self = .json(detected.isPretty ? .pretty(indent: 4) : .compact)
    case .yaml: self = .yaml
    }
  }
}

/// Renders objects, and Lists item by item, into an ``OutputSink``'s buffer.
///
/// A List is never held whole: its envelope's members before `items` are rendered first,
/// then each item as it comes, then the members after `items`. Nothing is written out
/// here: the driver that owns the sink decides when (``OutputSink/flushIfFull()``).
final class ObjectEmitter {
  let layout: OutputLayout
  private let sink: OutputSink
  private var json: JSONWriter
  private var scratch: [UInt8] = []
  private var documentCount = 0
  /// Items written into the List that is open, if one is.
  private var openListItems: Int?
  /// Whether the open List is a bare top-level array rather than a `kind: List` object.
  private var openListIsArray = false

  init(layout: OutputLayout, sink: OutputSink) {
    self.layout = layout
    self.sink = sink
    switch layout {
    case .json(let style): json = JSONWriter(style: style)
    case .ndjson, .yaml: json = JSONWriter(style: .compact)
    }
    scratch.reserveCapacity(64 * 1024)
  }

  /// Renders one top-level object (a document, an NDJSON line, a watch frame).
  func writeDocument(_ value: Value) {
    switch layout {
    case .json, .ndjson:
      json.write(value)
      json.newline()
      sink.append(from: &json)
    case .yaml:
      beginYAMLDocument()
      YAMLWriter().write(value, to: &scratch)
      takeScratch()
    }
  }

  /// Opens a List. `head` holds the envelope's members before `items`; nil for a bare
  /// JSON array of objects.
  func beginList(head: [Member]?) {
    openListItems = 0
    openListIsArray = head == nil
    switch layout {
    case .ndjson:
      return
    case .json:
      if let head {
        json.beginObject()
        for member in head {
          json.key(member.key)
          json.write(member.value)
        }
        json.key("items")
      }
      json.beginArray()
      sink.append(from: &json)
    case .yaml:
      // A bare array becomes one document per item; kubectl reads those alike.
      guard let head else { return }
      beginYAMLDocument()
      if !head.isEmpty { YAMLWriter().write(.object(ObjectValue(members: head)), to: &scratch) }
      takeScratch()
    }
  }

  /// Writes the next item of the open List.
  func writeItem(_ value: Value) {
    let index = openListItems ?? 0
    openListItems = index + 1
    switch layout {
    case .ndjson:
      json.write(value)
      json.newline()
      sink.append(from: &json)
    case .json:
      json.write(value)
      sink.append(from: &json)
    case .yaml:
      if openListIsArray {
        writeDocument(value)
        return
      }
      if index == 0 { scratch.append(contentsOf: "items:\n".utf8) }
      var item: [UInt8] = []
      YAMLWriter().write(value, to: &item)
      appendSequenceEntry(item)
      takeScratch()
    }
  }

  /// Closes the open List; `tail` holds the envelope's members after `items`.
  func endList(tail: [Member]) {
    let items = openListItems ?? 0
    openListItems = nil
    switch layout {
    case .ndjson:
      return
    case .json:
      json.endArray()
      if !openListIsArray {
        for member in tail {
          json.key(member.key)
          json.write(member.value)
        }
        json.endObject()
      }
      json.newline()
      sink.append(from: &json)
    case .yaml:
      if openListIsArray { return }
      if items == 0 { scratch.append(contentsOf: "items: []\n".utf8) }
      if !tail.isEmpty { YAMLWriter().write(.object(ObjectValue(members: tail)), to: &scratch) }
      takeScratch()
    }
  }

  /// Queues raw text (diffs) in the output's order.
  func writeText(_ bytes: [UInt8]) {
    sink.append(bytes)
  }

  private func beginYAMLDocument() {
    if documentCount > 0 { scratch.append(contentsOf: "---\n".utf8) }
    documentCount += 1
  }

  /// Appends a rendered document as a `- ` entry of a block sequence: the first line
  /// after `- `, the others indented by two spaces. Shifting every line keeps block
  /// scalars valid, since their indentation is relative; empty lines stay empty.
  private func appendSequenceEntry(_ item: [UInt8]) {
    scratch.append(contentsOf: "- ".utf8)
    var atLineStart = false
    for byte in item {
      if atLineStart && byte != 0x0A {
        scratch.append(0x20)
        scratch.append(0x20)
      }
      scratch.append(byte)
      atLineStart = byte == 0x0A
    }
  }

  private func takeScratch() {
    sink.append(scratch)
    scratch.removeAll(keepingCapacity: true)
  }
}
