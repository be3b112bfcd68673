import Foundation
import VerdictS3

#if canImport(Glibc)
    import Glibc
#endif

/// The documents and header values the local S3 endpoint answers with, in S3's shapes.
enum LocalS3XML {
    static let prolog = #"<?xml version="1.0" encoding="UTF-8"?>"#
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    static func error(_ failure: LocalS3Failure, requestID: String) -> String {
        if let authentication = failure.authentication { return authentication.xmlBody(requestID: requestID) }
        var xml = prolog + "<Error><Code>\(escape(failure.code))</Code><Message>\(escape(failure.message))</Message>"
        for (name, value) in failure.details { xml += "<\(name)>\(escape(value))</\(name)>" }
        return xml + "<RequestId>\(escape(requestID))</RequestId></Error>"
    }

    struct Listing {
        struct Entry {
            var key: String
            var size: Int
            var etag: String
            var lastModified: Date
        }

        var bucket: String
        var prefix: String
        var delimiter: String?
        var maxKeys: Int
        var urlEncoded: Bool
        var continuationToken: String?
        var startAfter: String?
        var entries: [Entry]
        var commonPrefixes: [String]
        var nextContinuationToken: String?
    }

    /// ListObjectsV2's `ListBucketResult`. With `encoding-type=url` the keys, prefixes,
    /// delimiter and start-after are URL-encoded, as S3 does.
    static func listBucketResult(_ listing: Listing) -> String {
        func text(_ value: String) -> String { escape(listing.urlEncoded ? urlEncode(value) : value) }
        var xml = prolog + "<ListBucketResult xmlns=\"\(namespace)\">"
        xml += "<Name>\(escape(listing.bucket))</Name><Prefix>\(text(listing.prefix))</Prefix>"
        if let delimiter = listing.delimiter { xml += "<Delimiter>\(text(delimiter))</Delimiter>" }
        xml += "<MaxKeys>\(listing.maxKeys)</MaxKeys>"
        if listing.urlEncoded { xml += "<EncodingType>url</EncodingType>" }
        xml += "<KeyCount>\(listing.entries.count + listing.commonPrefixes.count)</KeyCount>"
        xml += "<IsTruncated>\(listing.nextContinuationToken != nil)</IsTruncated>"
        if let token = listing.continuationToken { xml += "<ContinuationToken>\(escape(token))</ContinuationToken>" }
        if let token = listing.nextContinuationToken { xml += "<NextContinuationToken>\(escape(token))</NextContinuationToken>" }
        if let startAfter = listing.startAfter { xml += "<StartAfter>\(text(startAfter))</StartAfter>" }
        for entry in listing.entries {
            xml += "<Contents><Key>\(text(entry.key))</Key><LastModified>\(iso8601(entry.lastModified))</LastModified>"
            xml += "<ETag>\(escape(entry.etag))</ETag><Size>\(entry.size)</Size><StorageClass>STANDARD</StorageClass></Contents>"
        }
        for prefix in listing.commonPrefixes {
            xml += "<CommonPrefixes><Prefix>\(text(prefix))</Prefix></CommonPrefixes>"
        }
        return xml + "</ListBucketResult>"
    }

    static func escape(_ text: String) -> String { XMLText.escape(text) }

    /// S3's `encoding-type=url` form: unreserved characters and `/` stay, everything else
    /// is `%XX` over UTF-8 (clients decode with form decoding, so `+` must be escaped too).
    static func urlEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private static func fields(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var result = tm()
        gmtime_r(&seconds, &result)
        return result
    }

    /// `2024-05-06T07:08:09.000Z`, as in listings.
    static func iso8601(_ date: Date) -> String {
        let t = fields(date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.000Z", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    }

    /// `Mon, 06 May 2024 07:08:09 GMT`, as in `Last-Modified` and `Date`.
    static func httpDate(_ date: Date) -> String {
        let t = fields(date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return days[Int(t.tm_wday)] + String(format: ", %02d ", t.tm_mday) + months[Int(t.tm_mon)]
            + String(format: " %04d %02d:%02d:%02d GMT", t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec)
    }
}
