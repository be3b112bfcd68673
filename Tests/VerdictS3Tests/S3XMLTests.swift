import XCTest

@testable import VerdictS3

/// The client's reading of S3's XML answers, without a server.
final class S3XMLTests: XCTestCase {
    /// The example from the ListObjectsV2 API reference, with a namespace and whitespace.
    static let awsListExample = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>bucket</Name>
          <Prefix/>
          <KeyCount>205</KeyCount>
          <MaxKeys>1000</MaxKeys>
          <IsTruncated>false</IsTruncated>
          <Contents>
            <Key>my-image.jpg</Key>
            <LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
            <Size>434234</Size>
            <StorageClass>STANDARD</StorageClass>
          </Contents>
          <Contents>
            <Key>my-third-image.jpg</Key>
            <LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <ETag>"1b2cf535f27731c974343645a3985328"</ETag>
            <Size>64994</Size>
            <StorageClass>STANDARD_IA</StorageClass>
          </Contents>
        </ListBucketResult>
        """

    func testParsesTheAWSListExample() throws {
        let page = try ListObjectsV2Page(xml: Array(Self.awsListExample.utf8))
        XCTAssertEqual(
            page.objects,
            [
                .init(
                    key: "my-image.jpg", size: 434234, etag: "\"fba9dede5f27731c9771645a39863328\"",
                    lastModified: "2009-10-12T17:50:30.000Z"),
                .init(
                    key: "my-third-image.jpg", size: 64994, etag: "\"1b2cf535f27731c974343645a3985328\"",
                    lastModified: "2009-10-12T17:50:30.000Z"),
            ])
        XCTAssertFalse(page.isTruncated)
        XCTAssertNil(page.nextContinuationToken)
        XCTAssertEqual(page.keyCount, 205)
        XCTAssertEqual(page.commonPrefixes, [])
    }

    func testURLEncodedListingIsDecoded() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Name>b</Name><Prefix>runs%2F</Prefix><Delimiter>%2F</Delimiter><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType>\
            <KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>abc+/=</NextContinuationToken>\
            <Contents><Key>runs/a+b%2Bc%20%C3%BC%E2%9C%93.xml</Key><LastModified>2024-05-06T07:08:09.000Z</LastModified>\
            <ETag>&quot;x&quot;</ETag><Size>0</Size></Contents>\
            <CommonPrefixes><Prefix>runs/run%2042/</Prefix></CommonPrefixes></ListBucketResult>
            """
        let page = try ListObjectsV2Page(xml: Array(xml.utf8))
        XCTAssertEqual(page.objects.map(\.key), ["runs/a b+c ü✓.xml"])
        XCTAssertEqual(page.objects.first?.size, 0)
        XCTAssertEqual(page.commonPrefixes, ["runs/run 42/"])
        XCTAssertTrue(page.isTruncated)
        // Tokens are opaque: passed back exactly as received, never URL-decoded.
        XCTAssertEqual(page.nextContinuationToken, "abc+/=")
        XCTAssertEqual(page.keyCount, 2)
    }

    func testUnencodedListingKeepsKeysAsTheyAre() throws {
        let xml = "<ListBucketResult><Contents><Key>a+b%20c &amp; &#x2713;&#10003;</Key><Size>3</Size></Contents></ListBucketResult>"
        let page = try ListObjectsV2Page(xml: Array(xml.utf8))
        XCTAssertEqual(page.objects.map(\.key), ["a+b%20c & ✓✓"])
        XCTAssertEqual(page.keyCount, 1)
    }

    func testListingErrors() {
        XCTAssertThrowsError(try ListObjectsV2Page(xml: Array("<Error><Code>X</Code></Error>".utf8)))
        XCTAssertThrowsError(
            try ListObjectsV2Page(xml: Array("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>".utf8)))
        XCTAssertThrowsError(try ListObjectsV2Page(xml: Array("<ListBucketResult>".utf8)))
    }

    func testServiceErrorsCarryS3sCode() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a &amp; b</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        let error = S3ServiceError(status: 404, body: Array(body.utf8))
        XCTAssertEqual(
            error,
            S3ServiceError(status: 404, code: "NoSuchKey", message: "The specified key does not exist.", requestID: "4442587FB7D0A2F9"))
        XCTAssertEqual(ObjectStoreError.service(error).s3Code, "NoSuchKey")
        XCTAssertEqual(ObjectStoreError.service(error).httpStatus, 404)

        // What S3Error renders, the client reads back.
        let rendered = S3Error(.signatureDoesNotMatch, "nope <&>", details: [.init("StringToSign", "a\r\nb")]).xmlBody(requestID: "R")
        let parsed = S3ServiceError(status: 403, body: Array(rendered.utf8))
        XCTAssertEqual(parsed.code, "SignatureDoesNotMatch")
        XCTAssertEqual(parsed.message, "nope <&>")
        XCTAssertEqual(parsed.requestID, "R")

        // HEAD answers and proxies' HTML pages have no S3 document: the status is the code.
        XCTAssertEqual(S3ServiceError(status: 403, body: []).code, "403")
        XCTAssertEqual(S3ServiceError(status: 502, body: Array("<html>Bad gateway</html>".utf8)).code, "502")
    }

    func testParserShapes() throws {
        let root = try XCTUnwrap(
            S3XML.parse(
                Array(
                    "\u{FEFF}<?xml version=\"1.0\"?><!-- c --><a x='1>' y=\"2\"><s3:b>one</s3:b><c/><b><![CDATA[<raw>&amp;]]></b></a>".utf8)
            ))
        XCTAssertEqual(root.name, "a")
        XCTAssertEqual(root.children.map(\.name), ["b", "c", "b"])
        XCTAssertEqual(root.children(named: "b").map(\.text), ["one", "<raw>&amp;"])
        XCTAssertEqual(root.value("c"), "")
        XCTAssertNil(root.value("missing"))
    }

    func testParserRefusesWhatIsNotWellFormed() {
        for text in [
            "", "text", "<a>", "<a></b>", "<a></a><b></b>", "<a>&unknown;</a>", "<a>&#xZZ;</a>", "<a><!DOCTYPE x></a>",
            "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "<a x='1></a>", "<a><![CDATA[never closed</a>",
        ] {
            XCTAssertNil(S3XML.parse(Array(text.utf8)), text)
        }
    }

    func testFormDecoding() {
        XCTAssertEqual(S3XML.formDecode("a+b%2Bc%20d%2F%zz"), "a b+c d/%zz")
    }
}
