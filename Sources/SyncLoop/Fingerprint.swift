import Crypto
import SyncValue

/// A digest of an object as it is sent to the target: the loop skips an apply when the
/// copy it last applied for a source object has the same fingerprint.
///
/// SHA-256 of the compact JSON serialization, not `hashValue`: a hash value is seeded per
/// process and only 64 bits wide, so two different objects may share one and the second
/// change would never be applied. Key order counts (the serialization keeps it), so an
/// object whose keys were reordered is applied once more, which is harmless.
public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
  /// The 32 bytes of the digest.
  private let bytes: [UInt8]

  /// The fingerprint of `object` as it would be sent.
  public init(of object: Value) {
    bytes = Array(SHA256.hash(data: Array(JSON.serialize(object).utf8)))
  }

  /// The digest in lowercase hexadecimal, as `sha256sum` prints it.
  public var description: String {
    bytes.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}
