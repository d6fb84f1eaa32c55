import Foundation
import Testing

@testable import FleetObjectStore

/// Signatures checked against AWS's published S3 examples and botocore's signer (the same inputs signed by
/// `botocore.auth.S3SigV4Auth`, 2013-05-24T00:00:00Z).
@Suite struct SigV4SignerTests {
    let signer = SigV4Signer(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    let may24: Int64 = 1_369_353_600

    func signature(host: String, path: String, query: [(String, String)]) -> String? {
        let headers = signer.headers(method: "GET", host: host, path: path, query: query, payloadSHA256: emptyHash, epochSeconds: may24)
        return headers.first { $0.0 == "authorization" }?.1.components(separatedBy: "Signature=").last
    }

    @Test func awsLifecycleExample() {
        #expect(
            signature(host: "examplebucket.s3.amazonaws.com", path: "/", query: [("lifecycle", "")])
                == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func awsListObjectsExample() {
        #expect(
            signature(host: "examplebucket.s3.amazonaws.com", path: "/", query: [("prefix", "J"), ("max-keys", "2")])
                == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func pathStyleWithPortAndEncodedKey() {
        let path = "/bucket/" + SigV4Signer.encode("day=2026-01-01/a b.json", keepSlash: true)
        #expect(path == "/bucket/day%3D2026-01-01/a%20b.json")
        #expect(
            signature(host: "127.0.0.1:4566", path: path, query: [("list-type", "2"), ("prefix", "x/y")])
                == "b98c054f268cf81a62320941a8317d90df1a614540614a30efa9aab021a8c2d9")
    }

    @Test func timestampsAreUTC() {
        #expect(SigV4Signer.timestamps(epochSeconds: may24) == ("20130524", "20130524T000000Z"))
        #expect(SigV4Signer.timestamps(epochSeconds: 1_796_601_599) == ("20261206", "20261206T235959Z"))
        #expect(SigV4Signer.timestamps(epochSeconds: 951_782_400) == ("20000229", "20000229T000000Z"))
    }

    @Test func listParserReadsKeysSizesAndEntities() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Name>b</Name><IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;1</NextContinuationToken>\
            <Contents><Key>a&amp;b/c.json</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag></Contents>\
            <Contents><Key>z</Key><Size>0</Size></Contents></ListBucketResult>
            """
        let page = try S3ListParser.parse(Array(xml.utf8))
        #expect(page.objects == [ObjectInfo(key: "a&b/c.json", size: 12, etag: "abc"), ObjectInfo(key: "z", size: 0, etag: nil)])
        #expect(page.isTruncated)
        #expect(page.nextToken == "tok&1")
        #expect(throws: ObjectStoreError.self) { try S3ListParser.parse(Array("<Error><Code>x</Code></Error>".utf8)) }
    }

    @Test func endpointValidation() {
        #expect(throws: ObjectStoreError.self) { try S3Configuration(endpoint: "ftp://x", bucket: "b", accessKeyID: "a", secretAccessKey: "s").validate() }
        #expect(throws: ObjectStoreError.self) { try S3Configuration(endpoint: "http://host/path", bucket: "b", accessKeyID: "a", secretAccessKey: "s").validate() }
        #expect(throws: ObjectStoreError.self) { try S3Configuration(endpoint: "http://host:99999", bucket: "b", accessKeyID: "a", secretAccessKey: "s").validate() }
        #expect(throws: Never.self) { try S3Configuration(endpoint: "https://s3.eu-west-1.amazonaws.com", bucket: "b", accessKeyID: "a", secretAccessKey: "s").validate() }
    }
}
