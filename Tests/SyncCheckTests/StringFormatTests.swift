import Testing

@testable import SyncCheck

/// The string formats the API server validates: what each accepts and rejects. Every
/// "valid" case is one the server accepts, since the checker must never be stricter.
struct StringFormatTests {
  static let valid: [(format: String, text: String)] = [
    ("byte", ""), ("byte", "aGVsbG8="), ("byte", "aGVsbA=="), ("byte", "aGVs\nbG8="),
    ("uuid", "123e4567-e89b-12d3-a456-426614174000"), ("uuid", "123E4567E89B12D3A456426614174000"),
    ("uuid3", "a3bb189e-8bf9-3888-9912-ace4e6543002"),
    ("uuid4", "f47ac10b-58cc-4372-a567-0e02b2c3d479"),
    ("uuid5", "886313e1-3b8a-5372-9b90-0c9aee199e5d"),
    ("date", "2024-02-29"), ("date", "2000-02-29"), ("date", "1999-12-31"),
    ("date-time", "2024-05-31T12:00:00Z"), ("datetime", "2024-05-31t12:00:00.123456z"),
    ("date-time", "2024-05-31T23:59:59-07:30"),
    ("ipv4", "10.0.0.1"), ("ipv4", "255.255.255.255"), ("ipv4", "010.0.0.1"),
    ("ipv6", "::"), ("ipv6", "::1"), ("ipv6", "fd00::1"), ("ipv6", "1:2:3:4:5:6:7:8"),
    ("ipv6", "::ffff:10.0.0.1"), ("ipv6", "1::8"),
    ("cidr", "10.0.0.0/8"), ("cidr", "0.0.0.0/0"), ("cidr", "fd00::/64"), ("cidr", "::/128"),
    ("mac", "00:1a:2b:3c:4d:5e"), ("mac", "00-1A-2B-3C-4D-5E"), ("mac", "0000.5e00.5301"),
    ("mac", "02:00:5e:10:00:00:00:01"),
    ("hostname", "localhost"), ("hostname", "db.example.com"), ("hostname", "my-host"),
    ("hostname", "db.example.com."), ("hostname", "10.0.0.1"), ("hostname", "bücher.de"),
    ("email", "ops@example.com"), ("email", "Ops <ops@example.com>"),
    ("uri", "https://example.com/x?y=1"), ("uri", "/healthz"), ("uri", "mailto:ops@example.com"),
    ("bsonobjectid", "507f1f77bcf86cd799439011"),
    ("hexcolor", "#ff8800"), ("hexcolor", "F80"), ("ssn", "123-45-6789"), ("ssn", "123 45 6789"),
    ("duration", "30s"), ("duration", "1h30m"), ("duration", "-1.5h"), ("duration", "0"),
    ("duration", "300ms"), ("duration", "2 days"), ("duration", "10 minutes"),
    ("duration", "1d 2h"),
    // Formats the checker leaves to the server, and names it does not know.
    ("isbn", "anything"), ("creditcard", "anything"), ("password", "anything"),
    ("int-or-string", "anything"), ("k8s-short-name", "Anything"),
  ]

  static let invalid: [(format: String, text: String)] = [
    ("byte", "hunter2"), ("byte", "a==="), ("byte", "aGVsbG8=x"), ("byte", "hello world!"),
    ("uuid", "123e4567"), ("uuid", "123e4567-e89b-12d3-a456-42661417400g"),
    ("uuid", "123e4567--e89b-12d3-a456-426614174000"),
    ("uuid4", "123e4567-e89b-12d3-a456-426614174000"),
    ("uuid5", "886313e1-3b8a-5372-1b90-0c9aee199e5d"),
    ("date", "2023-02-29"), ("date", "2024-13-01"), ("date", "2024-5-31"), ("date", "1900-02-29"),
    ("date-time", "2024-05-31"), ("date-time", "2024-05-31 12:00:00Z"),
    ("date-time", "2024-05-31T12:00:00"), ("date-time", "2024-05-31T24:00:00Z"),
    ("date-time", "2024-05-31T12:00:00.Z"), ("date-time", "yesterday"),
    ("ipv4", "10.0.0"), ("ipv4", "10.0.0.256"), ("ipv4", "10.0.0.1/8"), ("ipv4", "a.b.c.d"),
    ("ipv6", "10.0.0.1"), ("ipv6", "fd00:::1"), ("ipv6", "1:2:3:4:5:6:7:8:9"),
    ("ipv6", "1::2::3"), ("ipv6", "fe80::1%eth0"), ("ipv6", "1:2:3:4:5:6:7::8"),
    ("cidr", "10.0.0.0"), ("cidr", "10.0.0.0/33"), ("cidr", "fd00::/129"), ("cidr", "x/8"),
    ("mac", "00:1a:2b:3c:4d"), ("mac", "00:1a-2b:3c:4d:5e"), ("mac", "00:1a:2b:3c:4d:zz"),
    ("hostname", ""), ("hostname", "db_1.example.com"), ("hostname", "-db.example.com"),
    ("hostname", "db..example.com"), ("hostname", "db.example.c"),
    ("hostname", String(repeating: "a", count: 64) + ".com"),
    ("email", "ops"), ("uri", ""), ("uri", "example.com"), ("uri", "://x"),
    ("uri", "https://example.com/\u{7}"),
    ("bsonobjectid", "507f1f77"), ("hexcolor", "orange"), ("hexcolor", "#ff88"),
    ("ssn", "123456789x"), ("duration", "soon"), ("duration", "1x"), ("duration", "1"),
    ("duration", "h"),
  ]

  @Test(arguments: valid)
  func accepts(_ example: (format: String, text: String)) {
    #expect(StringFormat.expectation(violatedBy: example.text, format: example.format) == nil)
  }

  @Test(arguments: invalid)
  func rejects(_ example: (format: String, text: String)) {
    #expect(StringFormat.expectation(violatedBy: example.text, format: example.format) != nil)
  }

  @Test(arguments: [
    (7, 7, true), (10, 5, true), (12, 5, false), (-10, 5, true),
  ])
  func integerMultiples(_ value: Int64, _ factor: Int64, _ expected: Bool) {
    #expect(CheckSession.isMultiple(.int(value), of: .int(factor)) == expected)
  }

  @Test(arguments: [
    (0.75, 0.25, true), (0.3, 0.1, true), (0.3, 0.25, false), (1e-9, 1e-10, true), (2.5, 0.5, true),
    (2.6, 0.5, false),
  ])
  func fractionalMultiples(_ value: Double, _ factor: Double, _ expected: Bool) {
    #expect(CheckSession.isMultiple(.double(value), of: .double(factor)) == expected)
  }
}
