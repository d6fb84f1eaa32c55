import Foundation

extension String {
    /// This text as one URL path segment or query value: everything but RFC 3986's unreserved characters
    /// (`A–Z a–z 0–9 - . _ ~`) percent-encoded, so an id with `/`, `?`, `#` or `&` cannot reach another route or add a
    /// parameter.
    var urlComponent: String {
        addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? self
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
