import Foundation
import KubeModel
import SyncValue

/// Request bodies in Kubernetes' protobuf encoding, for the built-in kinds kubectl's typed
/// commands send that way (`kubectl create configmap|secret|namespace`, `kubectl auth
/// can-i`).
///
/// kubectl 1.32 writes those requests as `application/vnd.kubernetes.protobuf` whatever
/// the server's discovery says, and does not retry in JSON after a 415, so a server that
/// cannot read them breaks those commands. A body is the envelope `k8s\0` and a
/// `runtime.Unknown` (type meta, then the raw message); the message is decoded with the
/// field numbers of its kind below into the JSON the rest of the server reads. Zero values
/// are left out, as the JSON encoding's `omitempty` does. Another kind, or a field not
/// listed here, is a 415 naming it. Answers are always JSON, which kubectl also accepts.
enum KubernetesProtobuf {
  static let mediaType = "application/vnd.kubernetes.protobuf"
  private static let magic: [UInt8] = Array("k8s".utf8) + [0]

  indirect enum FieldType {
    case string, bytes, bool, integer, stringMap, bytesMap, strings, time
    case message([Int: (String, FieldType)])
    /// Present in the encoding (Go writes non-pointer structs), not read: status.
    case ignored
  }

  private static let objectMeta: FieldType = .message([
    1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string),
    4: ("selfLink", .string), 5: ("uid", .string), 6: ("resourceVersion", .string),
    7: ("generation", .integer), 8: ("creationTimestamp", .time),
    9: ("deletionTimestamp", .time), 10: ("deletionGracePeriodSeconds", .integer),
    11: ("labels", .stringMap), 12: ("annotations", .stringMap), 14: ("finalizers", .strings),
  ])

  private static let resourceAttributes: FieldType = .message([
    1: ("namespace", .string), 2: ("verb", .string), 3: ("group", .string),
    4: ("version", .string), 5: ("resource", .string), 6: ("subresource", .string),
    7: ("name", .string),
  ])

  /// The kinds this server reads, by `apiVersion/kind`.
  static let kinds: [String: [Int: (String, FieldType)]] = [
    "v1/ConfigMap": [
      1: ("metadata", objectMeta), 2: ("data", .stringMap), 3: ("binaryData", .bytesMap),
      4: ("immutable", .bool),
    ],
    "v1/Secret": [
      1: ("metadata", objectMeta), 2: ("data", .bytesMap), 3: ("type", .string),
      4: ("stringData", .stringMap), 5: ("immutable", .bool),
    ],
    "v1/Namespace": [
      1: ("metadata", objectMeta), 2: ("spec", .message([1: ("finalizers", .strings)])),
      3: ("status", .ignored),
    ],
    "authorization.k8s.io/v1/SelfSubjectAccessReview": [
      1: ("metadata", objectMeta),
      2: (
        "spec",
        .message([
          1: ("resourceAttributes", resourceAttributes),
          2: ("nonResourceAttributes", .message([1: ("path", .string), 2: ("verb", .string)])),
        ])
      ),
      3: ("status", .ignored),
    ],
  ]

  static func decode(_ bytes: [UInt8]) throws(APIStatus) -> Value {
    guard bytes.starts(with: magic) else {
      throw unsupported("the body does not start with the k8s protobuf envelope")
    }
    var reader = Reader(bytes: bytes[magic.count...])
    var apiVersion = ""
    var kind = ""
    var raw: ArraySlice<UInt8> = []
    while let (number, payload) = try reader.field() {
      guard case .bytes(let data) = payload else { continue }
      switch number {
      case 1:
        var typeMeta = Reader(bytes: data)
        while let (field, value) = try typeMeta.field() {
          guard case .bytes(let text) = value else { continue }
          if field == 1 { apiVersion = String(decoding: text, as: UTF8.self) }
          if field == 2 { kind = String(decoding: text, as: UTF8.self) }
        }
      case 2: raw = data
      default: break
      }
    }
    guard let fields = kinds["\(apiVersion)/\(kind)"] else {
      throw unsupported(
        "this test server decodes protobuf only for "
          + kinds.keys.sorted().joined(separator: ", ") + ", not \(apiVersion)/\(kind)")
    }
    guard case .object(var object) = try message(raw, fields, in: kind) else {
      return .null
    }
    object["apiVersion"] = .string(apiVersion)
    object["kind"] = .string(kind)
    return .object(object)
  }

  private static func message(
    _ bytes: ArraySlice<UInt8>, _ fields: [Int: (String, FieldType)], in context: String
  ) throws(APIStatus) -> Value {
    var reader = Reader(bytes: bytes)
    var object = ObjectValue()
    while let (number, payload) = try reader.field() {
      guard let (name, type) = fields[number] else {
        throw unsupported("field \(number) of \(context) is not one this test server reads")
      }
      let value = try decodeValue(payload, type, in: "\(context).\(name)")
      switch (value, type) {
      case (nil, _): continue
      case (.object(let entry)?, .stringMap), (.object(let entry)?, .bytesMap):
        var map = object[name]?.objectValue ?? ObjectValue()
        for member in entry.members { map[member.key] = member.value }
        object[name] = .object(map)
      case (let item?, .strings):
        object[name] = .array((object[name]?.arrayValue ?? []) + [item])
      case (let item?, _):
        object[name] = item
      }
    }
    return .object(object)
  }

  /// One field's JSON value; nil for zero values and ignored fields.
  private static func decodeValue(_ payload: Reader.Payload, _ type: FieldType, in context: String)
    throws(APIStatus) -> Value?
  {
    switch (type, payload) {
    case (.ignored, _): return nil
    case (.bool, .varint(let number)): return number == 0 ? nil : .bool(true)
    case (.integer, .varint(let number)): return number == 0 ? nil : .int(Int64(bitPattern: number))
    case (.string, .bytes(let data)), (.strings, .bytes(let data)):
      return data.isEmpty && type.isString ? nil : .string(String(decoding: data, as: UTF8.self))
    case (.bytes, .bytes(let data)):
      return data.isEmpty ? nil : .string(Data(data).base64EncodedString())
    case (.time, .bytes(let data)):
      var reader = Reader(bytes: data)
      var seconds: UInt64 = 0
      while let (field, value) = try reader.field() {
        if field == 1, case .varint(let number) = value { seconds = number }
      }
      guard seconds != 0 else { return nil }
      return .string(
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601))
    case (.stringMap, .bytes(let data)), (.bytesMap, .bytes(let data)):
      let valueType: KubernetesProtobuf.FieldType = type.isString ? .string : .bytes
      let entry = try message(data, [1: ("key", .string), 2: ("value", valueType)], in: context)
      let key = entry["key"]?.stringValue ?? ""
      let value = entry["value"] ?? ""
      return .object(ObjectValue([key: value]))
    case (.message(let fields), .bytes(let data)):
      let object = try message(data, fields, in: context)
      return object.objectValue?.isEmpty == true ? nil : object
    default:
      throw unsupported("\(context) has an unexpected wire type")
    }
  }

  private static func unsupported(_ why: String) -> APIStatus {
    APIStatus(code: 415, reason: "UnsupportedMediaType", message: "\(why); send application/json")
  }

  /// Protobuf's wire format: tagged varints and length-delimited fields.
  struct Reader {
    enum Payload {
      case varint(UInt64)
      case bytes(ArraySlice<UInt8>)
    }

    var bytes: ArraySlice<UInt8>

    mutating func field() throws(APIStatus) -> (Int, Payload)? {
      guard !bytes.isEmpty else { return nil }
      let tag = try varint()
      switch tag & 7 {
      case 0: return (Int(tag >> 3), .varint(try varint()))
      case 2:
        let length = Int(try varint())
        guard length <= bytes.count else { throw unsupported("a protobuf field overruns the body") }
        let data = bytes.prefix(length)
        bytes = bytes.dropFirst(length)
        return (Int(tag >> 3), .bytes(data))
      default:
        throw unsupported("protobuf wire type \(tag & 7) is not one this test server reads")
      }
    }

    private mutating func varint() throws(APIStatus) -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while let byte = bytes.first, shift < 64 {
        bytes = bytes.dropFirst()
        result |= UInt64(byte & 0x7f) << shift
        if byte & 0x80 == 0 { return result }
        shift += 7
      }
      throw unsupported("a protobuf varint is cut short")
    }
  }
}

extension KubernetesProtobuf.FieldType {
  /// `string`, or a map of strings (whose values are text, not base64).
  fileprivate var isString: Bool {
    switch self {
    case .string, .stringMap: return true
    default: return false
    }
  }
}
