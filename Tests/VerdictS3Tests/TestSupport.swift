import Foundation
import XCTest

@testable import VerdictS3

/// Turns a presigned URL into the request an HTTP client would send for it: the
/// authority goes into `Host` verbatim, as curl and urllib3 do.
func incomingRequest(
    for url: String, method: String, extraHeaders: [(name: String, value: String)] = [],
    file: StaticString = #filePath, line: UInt = #line
) -> IncomingS3Request? {
    guard let schemeEnd = url.firstRange(of: "://") else {
        XCTFail("not a URL: \(url)", file: file, line: line)
        return nil
    }
    let scheme = String(url[..<schemeEnd.lowerBound])
    let rest = url[schemeEnd.upperBound...]
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    return IncomingS3Request(
        method: method, target: String(rest[slash...]),
        headers: [("Host", String(rest[..<slash]))] + extraHeaders, scheme: scheme)
}

/// Replaces the value of one query parameter, keeping everything else byte for byte.
func replacingQueryValue(_ name: String, with value: String, in url: String) -> String {
    let parts = url.split(separator: "?", maxSplits: 1)
    let query = parts[1].split(separator: "&").map { item in
        item.hasPrefix("\(name)=") ? "\(name)=\(value)" : String(item)
    }
    return "\(parts[0])?\(query.joined(separator: "&"))"
}

/// Runs the verifier and returns the error it throws, failing the test if it accepts.
func verificationError(
    _ verifier: SigV4Verifier, _ request: IncomingS3Request?, now: AmzDate,
    file: StaticString = #filePath, line: UInt = #line
) -> S3Error? {
    guard let request else { return nil }
    do {
        let verified = try verifier.verify(request, now: now)
        XCTFail("expected rejection, got \(verified)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}
