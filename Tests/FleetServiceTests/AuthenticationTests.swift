import AsyncHTTPClient
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Testing

@testable import FleetService

/// Tokens of an external OpenID Connect provider (a key pair and a JWKS served by the test), and the forgeries a
/// service must refuse.
@Suite("Authentication: OIDC tokens, forgeries, trusted proxies, caches")
struct AuthenticationTests {
    func authenticator(_ provider: TestIdentityProvider, refetch: Duration = .seconds(30)) -> OIDCAuthenticator {
        OIDCAuthenticator(
            settings: .init(issuer: TestIdentityProvider.issuer, jwksURL: provider.jwksURL, audience: TestIdentityProvider.audience),
            client: HTTPClient.shared, refetchInterval: refetch, logger: Logger(label: "test"))
    }

    func reason(_ body: () async throws -> Identity) async -> AuthenticationFailure.Reason? {
        do {
            _ = try await body()
            return nil
        } catch let failure as AuthenticationFailure {
            return failure.reason
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("A provider's token is accepted with its scopes and vehicle; every forgery is refused with its reason")
    func forgeries() async throws {
        try await TestIdentityProvider.with { provider in
            let oidc = authenticator(provider)
            let good = try await provider.token(scopes: [.fleetRead, .telemetryWrite], subject: "robot-ops", vehicleID: "robot-7")
            let identity = try await oidc.authenticate(token: good)
            #expect(identity.tokenID == "oidc:robot-ops")
            #expect(identity.scopes == [.fleetRead, .telemetryWrite])
            #expect(identity.vehicleID == "robot-7")

            let parts = good.split(separator: ".").map(String.init)
            // alg: none, and a symmetric algorithm naming the provider's key (the classic key-confusion attack).
            let none = Self.base64URL(#"{"alg":"none","kid":"test-key-1","typ":"JWT"}"#) + "." + parts[1] + "."
            #expect(await reason { try await oidc.authenticate(token: none) } == .algorithm)
            let hs256 = Self.base64URL(#"{"alg":"HS256","kid":"test-key-1","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]
            #expect(await reason { try await oidc.authenticate(token: hs256) } == .algorithm)
            // Tampered payload: admin scope spliced into a genuinely signed token.
            let payload = try #require(Self.decodeBase64URL(parts[1]))
            var claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            claims["scope"] = "admin"
            let tampered = parts[0] + "." + Self.base64URL(String(decoding: try JSONSerialization.data(withJSONObject: claims), as: UTF8.self)) + "." + parts[2]
            #expect(await reason { try await oidc.authenticate(token: tampered) } == .signature)
            // Signed by a key the provider never published, under its key id and under an unknown one.
            #expect(await reason { try await oidc.authenticate(token: try await provider.forgedToken(scopes: [.admin])) } == .signature)
            #expect(await reason { try await oidc.authenticate(token: try await provider.forgedToken(scopes: [.admin], kid: "unknown-key")) } == .unknownKey)
            // Claims.
            #expect(await reason { try await oidc.authenticate(token: try await provider.token(scopes: [.admin], lifetime: -120)) } == .expired)
            #expect(await reason { try await oidc.authenticate(token: try await provider.token(scopes: [.admin], audience: "another-api")) } == .audience)
            #expect(await reason { try await oidc.authenticate(token: try await provider.token(scopes: [.admin], issuer: "https://evil.example")) } == .issuer)
            #expect(
                await reason { try await oidc.authenticate(token: try await provider.token(scopes: [.admin], notBefore: Date().addingTimeInterval(600))) }
                    == .notYetValid)
            #expect(await reason { try await oidc.authenticate(token: "a.b.c") } == .malformed)
            // Within the leeway (30 s) an expired token still passes: clocks differ.
            #expect(await reason { try await oidc.authenticate(token: try await provider.token(scopes: [.fleetRead], lifetime: -10)) } == nil)
        }
    }

    @Test("An unreachable JWKS is 'unavailable' (503), not a bad token; unknown key ids do not refetch more than once per interval")
    func unreachableProvider() async throws {
        let port = try TestBroker.freePort()
        let oidc = OIDCAuthenticator(
            settings: .init(issuer: TestIdentityProvider.issuer, jwksURL: "http://127.0.0.1:\(port)/jwks.json"), client: FleetServiceRuntime.httpClient,
            logger: Logger(label: "test"))
        let token = Self.base64URL(#"{"alg":"ES256","kid":"k"}"#) + "." + Self.base64URL(#"{"sub":"x"}"#) + ".c2ln"
        #expect(await reason { try await oidc.authenticate(token: token) } == .unavailable)
        // Within the refetch interval the key set is not asked again: the unknown key is refused at once.
        #expect(await reason { try await oidc.authenticate(token: token) } == .unknownKey)
        #expect(AuthenticationFailure(.unavailable, "x").httpError(realm: "r").status == .serviceUnavailable)
        #expect(AuthenticationFailure(.expired, "x").httpError(realm: "r").status == .unauthorized)
    }

    @Test("Suite tokens and JWTs go to their own authenticator; a JWT without a configured provider is refused")
    func routing() async throws {
        struct Fixed: TokenAuthenticator {
            let name: String
            func authenticate(token: String) async throws -> Identity { Identity(tokenID: name, name: name, scopes: []) }
        }
        let both = FleetAuthenticator(suite: Fixed(name: "suite"), external: Fixed(name: "oidc"))
        #expect(try await both.authenticate(token: "fct_abc").tokenID == "suite")
        #expect(try await both.authenticate(token: "a.b.c").tokenID == "oidc")
        let suiteOnly = FleetAuthenticator(suite: Fixed(name: "suite"), external: nil)
        #expect(await reason { try await suiteOnly.authenticate(token: "a.b.c") } == .unknown)
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, and only its right-most untrusted hop")
    func trustedProxies() throws {
        let proxies = TrustedProxies(list: "10.0.0.5, 10.0.0.6")
        let proxy = try SocketAddress(ipAddress: "10.0.0.5", port: 443)
        let stranger = try SocketAddress(ipAddress: "192.0.2.9", port: 5000)
        #expect(proxies.clientAddress(peer: stranger, forwardedFor: "203.0.113.7") == "192.0.2.9")
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: "203.0.113.7") == "203.0.113.7")
        // The client can put anything on the left; the proxies' own hops are skipped from the right.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: "1.2.3.4, 203.0.113.7, 10.0.0.6") == "203.0.113.7")
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: nil) == "10.0.0.5")
        #expect(TrustedProxies().clientAddress(peer: nil, forwardedFor: "1.2.3.4") == "unknown")
    }

    @Test("The identity cache keeps accepted answers for their lifetime and refused ones shorter")
    func identityCache() {
        let cache = IdentityCache(acceptedFor: .seconds(2), refusedFor: .seconds(1))
        let identity = Identity(tokenID: "tok_1", name: "ops", scopes: [.fleetRead])
        let key = IdentityCache.key(of: "fct_secret")
        #expect(key.count == 64 && !key.contains("secret"))
        #expect(IdentityCache.key(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        cache.store(key, .success(identity))
        if case .success(let found) = cache.lookup(key) { #expect(found == identity) } else { Issue.record("not cached") }
        #expect(cache.lookup(key, now: .now + .milliseconds(2_100)) == nil)
        cache.store("refused", .failure(AuthenticationFailure(.revoked, "gone")))
        #expect(cache.lookup("refused") != nil)
        #expect(cache.lookup("refused", now: .now + .milliseconds(1_100)) == nil)
        cache.removeAll()
        #expect(cache.lookup(key) == nil)
    }

    @Test("Scopes parse from OAuth's space-separated list; admin allows everything")
    func scopes() {
        #expect(Scope.parse(list: "fleet:read  webhooks:admin bogus") == [.fleetRead, .webhooksAdmin])
        #expect(Identity(tokenID: "t", name: "n", scopes: [.admin]).allows(.routesWrite))
        #expect(!Identity(tokenID: "t", name: "n", scopes: [.fleetRead]).allows(.commandsWrite))
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
