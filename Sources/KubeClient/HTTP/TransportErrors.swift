import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
  import Glibc
#endif

/// Turns the errors of NIO, async-http-client and swift-nio-ssl into a
/// ``ConnectionFailure/Cause``.
enum TransportErrors {
  /// What the classification needs to know about the request.
  struct Context {
    /// The name the certificate must carry: `tls-server-name`, else the URL's host.
    var expectedName: String
    /// Whether the kubeconfig names the certificate authority.
    var customAuthority: Bool
    var connectTimeout: Duration
    /// The deadline the request had.
    var requestTimeout: Duration
  }

  /// The cause of a failure to get an answer, or nil for errors that are not about the
  /// connection (cancellation, our own errors).
  static func cause(of error: any Error, _ context: Context) -> ConnectionFailure.Cause? {
    switch error {
    case is CancellationError, is KubeError:
      return nil
    case let error as NIOConnectionError:
      if let dns = error.dnsAError ?? error.dnsAAAAError {
        return cause(of: dns, context) ?? .unknownHost(error.host)
      }
      // Every address tried failed; the first says why as well as any.
      guard let first = error.connectionErrors.first?.error else { return .refused }
      return cause(of: first, context)
    case let error as SocketAddressError.UnknownHost:
      return .unknownHost(error.host)
    case let error as IOError:
      return cause(errno: error.errnoCode) ?? .other(cleaned("\(error)"))
    case let error as ChannelError:
      switch error {
      case .connectTimeout(let amount):
        return .timedOut("timed out connecting after \(seconds(amount))")
      case .ioOnClosedChannel, .eof, .outputClosed, .inputClosed, .alreadyClosed:
        return .closed
      default:
        return .other(cleaned("\(error)"))
      }
    case let error as HTTPClientError:
      return cause(of: error, context)
    case let error as NIOSSLError:
      switch error {
      case .handshakeFailed(let boringError):
        let reason = boringReason(boringError)
        if reason == "CERTIFICATE_VERIFY_FAILED" {
          return .untrustedCertificate(nil, customAuthority: context.customAuthority)
        }
        return .tls(tlsReason(reason))
      case .uncleanShutdown:
        return .closed
      default:
        return .tls(cleaned("\(error)"))
      }
    case let error as NIOSSLExtraError where error == .failedToValidateHostname:
      return .certificateNameMismatch(expected: context.expectedName, certificate: nil)
    default:
      return nil
    }
  }

  private static func cause(
    of error: HTTPClientError, _ context: Context
  ) -> ConnectionFailure.Cause? {
    switch error {
    case .connectTimeout:
      return .timedOut("timed out connecting after \(describe(context.connectTimeout))")
    case .deadlineExceeded, .readTimeout:
      return .timedOut("no answer within \(describe(context.requestTimeout))")
    case .tlsHandshakeTimeout:
      return .timedOut("the TLS handshake timed out")
    case .remoteConnectionClosed, .uncleanShutdown:
      return .closed
    case .proxyAuthenticationRequired:
      return .proxy("the proxy refused the credentials in proxy-url (407)")
    case .invalidProxyResponse:
      return .proxy("the proxy would not connect to the API server")
    case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
      return .proxy("the proxy did not answer in time")
    case .cancelled:
      return nil
    default:
      return .other(cleaned("\(error)"))
    }
  }

  private static func cause(errno code: CInt) -> ConnectionFailure.Cause? {
    switch code {
    case ECONNREFUSED: return .refused
    case ETIMEDOUT: return .timedOut("timed out connecting")
    case EHOSTUNREACH, ENETUNREACH: return .noRoute
    case ECONNRESET, EPIPE, ECONNABORTED: return .closed
    default: return nil
    }
  }

  /// `CERTIFICATE_VERIFY_FAILED` from `…:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at
  /// /path/handshake.cc:320`; empty when there is none.
  static func boringReason(_ error: BoringSSLError) -> String {
    let text = "\(error)"
    guard let marker = text.range(of: "OPENSSL_internal:") else { return "" }
    return String(
      text[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" })
  }

  /// A BoringSSL reason in words, with a hint for the common ones.
  static func tlsReason(_ reason: String) -> String {
    switch reason {
    case "WRONG_VERSION_NUMBER":
      return "the server does not speak TLS on this port — is the scheme right "
        + "(http:// rather than https://), and the port?"
    case "TLSV1_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_BAD_CERTIFICATE",
      "TLSV1_ALERT_UNKNOWN_CA":
      return "the server refused our client certificate (\(words(reason))) — check the "
        + "client certificate and key in the kubeconfig"
    case "":
      return "the server broke off the handshake — check the server address and the "
        + "kubeconfig's TLS settings"
    default:
      return words(reason) + " — check the server address and the kubeconfig's TLS settings"
    }
  }

  /// `CERTIFICATE_VERIFY_FAILED` → `certificate verify failed`.
  private static func words(_ reason: String) -> String {
    reason.lowercased().replacingOccurrences(of: "_", with: " ")
  }

  /// Library text with what users cannot use removed: source paths (` at
  /// /build/…/handshake.cc:320`) and errno numbers.
  static func cleaned(_ text: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let range = rest.range(of: " at /") {
      result += rest[..<range.lowerBound]
      rest = rest[range.upperBound...].drop { !" ,;)]".contains($0) }
    }
    result += rest
    return result.replacingOccurrences(
      of: #" ?\(errno: \d+\)"#, with: "", options: .regularExpression)
  }

  private static func seconds(_ amount: TimeAmount) -> String {
    describe(.nanoseconds(amount.nanoseconds))
  }

  /// `10 s`, `0.3 s`.
  static func describe(_ duration: Duration) -> String {
    let value = duration.seconds
    return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }
}
