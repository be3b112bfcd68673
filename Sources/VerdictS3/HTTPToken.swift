enum HTTPToken {
    /// RFC 9110 `token`: what a header name may contain.
    static func isValid(_ name: some StringProtocol) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                PercentEncoding.isUnreserved(byte) || "!#$%&'*+^`|".utf8.contains(byte)
            }
    }
}
