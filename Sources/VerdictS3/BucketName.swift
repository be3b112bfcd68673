/// The bucket-name rules botocore applies before building a URL.
enum BucketName {
    /// botocore's parameter validation: anything else is rejected before signing.
    static func isValid(_ name: String) -> Bool {
        (1...255).contains(name.utf8.count)
            && name.utf8.allSatisfy { PercentEncoding.isUnreserved($0) && $0 != UInt8(ascii: "~") }
    }

    /// `aws.isVirtualHostableS3Bucket` from the S3 endpoint rule set: at least three
    /// characters, lower case, not shaped like an IPv4 address, and made of valid host
    /// labels (dotted names only when `allowingDots`).
    static func isVirtualHostable(_ name: String, allowingDots: Bool) -> Bool {
        guard name.utf8.count >= 3, name.lowercased() == name, !looksLikeIPv4(name) else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard allowingDots || labels.count == 1 else { return false }
        return labels.allSatisfy(isHostLabel)
    }

    private static func isHostLabel(_ label: Substring) -> Bool {
        let bytes = Array(label.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// botocore's IPV4_RE: four dot-separated runs of one to three digits, values unchecked.
    static func looksLikeIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { (1...3).contains($0.utf8.count) && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}
