import Foundation
import HTTPContract
import NIOCore
import NIOHTTP1
import SAMTemplate

/// The NIO side of the payload-2.0 model in HTTPContract: a received request becomes the event
/// a function reads, and what the function answers becomes the HTTP response, by the same code
/// the handlers decode and encode with.
extension ServerRequest {
    func httpAPIEvent(match: RouteTable<String>.Match, requestID: String) -> [UInt8] {
        let context = HTTPRequest.GatewayContext(
            // The catch-all route's key is `$default`, not a method and path.
            routeKey: match.route.path == "$default" ? "$default" : match.route.routeKey, pathParameters: match.pathParameters,
            requestID: requestID, timeEpochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), accountID: "000000000000",
            apiID: "verdict-local", domainPrefix: "verdict-local", scheme: "http")
        return HTTPRequest.event(
            method: method.rawValue, rawPath: path, rawQueryString: rawQuery, headerFields: headers.map { ($0.name, $0.value) },
            body: Array(buffer: body),
            sourceIP: remoteAddress, context: context
        ).serialized()
    }
}

extension ServerResponse {
    init(_ response: HTTPResponse) {
        self.init(
            status: HTTPResponseStatus(statusCode: response.status),
            headers: response.headers.map { ($0.name, $0.value) } + response.cookies.map { ("set-cookie", $0) },
            body: ByteBuffer(bytes: response.body))
    }

    /// The error envelope for a failure of the gateway's own; the code fixes the status.
    static func error(_ code: ErrorCode, message: String) -> ServerResponse {
        ServerResponse(HTTPResponse.error(code, message: message))
    }
}
