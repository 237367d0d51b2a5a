import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import X509

/// Reads the certificate a server presents, without trusting it, so that a TLS failure
/// can say which names the certificate carries and who issued it. The handshake is broken
/// off as soon as the certificate arrives: nothing is sent to the server.
enum CertificateProbe {
  static func certificate(
    host: String, port: Int, serverName: String?, timeout: Duration
  ) async -> ServerCertificate? {
    let presented = NIOLockedValueBox<NIOSSLCertificate?>(nil)
    do {
      let context = try NIOSSLContext(configuration: .makeClientConfiguration())
      let sni = serverName.flatMap { isIPAddress($0) ? nil : $0 }
      let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.nanoseconds(Int64(timeout.nanoseconds)))
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            let handler = try NIOSSLClientHandler(
              context: context, serverHostname: sni,
              customVerificationCallback: { chain, promise in
                presented.withLockedValue { $0 = chain.first }
                promise.succeed(.failed)
              })
            try channel.pipeline.syncOperations.addHandler(handler)
          }
        }
        .connect(host: host, port: port).get()
      // The failed verification closes the channel; a server that never finishes its
      // side of the handshake is cut off by the timeout.
      let closed = channel.closeFuture
      channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.nanoseconds))) {
        channel.close(promise: nil)
      }
      try? await closed.get()
    } catch {
      return nil
    }
    return presented.withLockedValue { $0 }.flatMap(describe)
  }

  /// Names, issuer and validity of a certificate.
  static func describe(_ certificate: NIOSSLCertificate) -> ServerCertificate? {
    guard let der = try? certificate.toDERBytes(),
      let parsed = try? Certificate(derEncoded: der)
    else { return nil }
    var names: [String] = []
    if let alternatives = try? parsed.extensions.subjectAlternativeNames {
      for name in alternatives {
        switch name {
        case .dnsName(let dns): names.append(dns)
        case .ipAddress(let octets): names.append(ipAddress(Array(octets.bytes)))
        default: continue
        }
      }
    }
    if names.isEmpty, let common = commonName(of: parsed.subject) { names = [common] }
    return ServerCertificate(
      names: names, issuer: parsed.issuer.description,
      isSelfSigned: parsed.issuer == parsed.subject,
      notValidBefore: parsed.notValidBefore, notValidAfter: parsed.notValidAfter)
  }

  private static func commonName(of name: DistinguishedName) -> String? {
    for relativeName in name {
      for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
        return String(describing: attribute.value)
      }
    }
    return nil
  }

  /// `127.0.0.1`, or an IPv6 address in groups of hex digits.
  private static func ipAddress(_ bytes: [UInt8]) -> String {
    if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
    guard bytes.count == 16 else { return bytes.map { String($0) }.joined(separator: ".") }
    return stride(from: 0, to: 16, by: 2).map {
      String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
    }.joined(separator: ":")
  }

  static func isIPAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
  }
}
