import FleetTestSupport
import Foundation
import Testing

/// fleet-control, fleet-tracking and fleet-alerting as real processes on one broker: one token for all of them, a
/// revocation seen by all of them within the stated bound.
@Suite("One identity across the suite", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
struct SuiteIdentityTests {
    @Test("fleetctl login saves one token that works on every service; after revoke every service refuses it within 5 s")
    func oneTokenEverywhere() async throws {
        let broker = try TestBroker(persistence: false)
        try await TestPostgres.withSchema(poolSize: 1) { _, controlSchema in
            try await TestPostgres.withSchema(poolSize: 1) { _, trackingSchema in
                try await TestPostgres.withSchema(poolSize: 1) { _, alertingSchema in
                    let control = try await FleetControlService.start(broker: broker, schema: controlSchema)
                    defer { control.stop() }
                    let asksControl = ["FLEET_AUTH_INTROSPECTION_URL": "\(control.url)/auth/introspect"]
                    let tracking = try await FleetControlService.start(broker: broker, schema: trackingSchema, environment: asksControl, service: "fleet-tracking")
                    defer { tracking.stop() }
                    let alerting = try await FleetControlService.start(broker: broker, schema: alertingSchema, environment: asksControl, service: "fleet-alerting")
                    defer { alerting.stop() }

                    let created = try await control.fleetctl("tokens", "create", "--name", "operator", "--scope", "fleet:read", "--scope", "alerts:write", "-o", "json")
                    #expect(created.exitCode == FleetctlExit.success, "\(created)")
                    let secret = try #require(created.json()["token"] as? String)
                    let id = try #require(created.json()["id"] as? String)

                    // Log in once; the profile is private to its owner and carries the service URLs.
                    let home = try ChildProcess.temporaryDirectory("fleetctl-profile")
                    defer { try? FileManager.default.removeItem(at: home) }
                    let profile = ["FLEET_CONFIG": home.appendingPathComponent("fleet/fleetctl.json").path]
                    let login = try await Fleetctl.run(["login", "--api", control.url, "--alerting", alerting.url, "--token", secret], environment: profile)
                    #expect(login.exitCode == FleetctlExit.success, "\(login)")
                    #expect(login.stdout.contains("Logged in as operator (\(id))"), "\(login)")
                    let attributes = try FileManager.default.attributesOfItem(atPath: profile["FLEET_CONFIG"]!)
                    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
                    let refused = try await Fleetctl.run(["login", "--api", control.url, "--token", "fct_not-a-token"], environment: profile)
                    #expect(refused.exitCode == FleetctlExit.unauthorized, "\(refused)")

                    // The same token on every service, with no --token.
                    let vehicles = try await Fleetctl.run(["vehicles", "list"], environment: profile)
                    #expect(vehicles.exitCode == FleetctlExit.success, "\(vehicles)")
                    let alerts = try await Fleetctl.run(["alerts", "list"], environment: profile)
                    #expect(alerts.exitCode == FleetctlExit.success, "\(alerts)")
                    #expect(LoopbackHTTP.get(port: tracking.port, path: "/v1/vehicles", token: secret)?.status == 200)
                    #expect(LoopbackHTTP.get(port: alerting.port, path: "/v1/rules", token: secret)?.status == 200)
                    // Its scopes hold everywhere: no webhooks:admin, no geofences.
                    #expect(LoopbackHTTP.get(port: alerting.port, path: "/v1/webhooks", token: secret)?.status == 403)
                    #expect(LoopbackHTTP.get(port: tracking.port, path: "/v1/vehicles")?.status == 401)
                    #expect(LoopbackHTTP.get(port: tracking.port, path: "/v1/vehicles", token: "fct_forged")?.status == 401)

                    // Revoke; every service must refuse the token within 5 s (the bound: FLEET_AUTH_CACHE_SECONDS = 2,
                    // plus fleet-control's own 1 s cache, plus a request).
                    let revoke = try await control.fleetctl("tokens", "revoke", id)
                    #expect(revoke.exitCode == FleetctlExit.success, "\(revoke)")
                    let clock = ContinuousClock()
                    let revokedAt = clock.now
                    var refusedAfter: [String: Duration] = [:]
                    let ports = ["fleet-control": control.port, "fleet-tracking": tracking.port, "fleet-alerting": alerting.port]
                    let paths = ["fleet-control": "/v1/vehicles", "fleet-tracking": "/v1/vehicles", "fleet-alerting": "/v1/rules"]
                    while refusedAfter.count < ports.count, clock.now - revokedAt < .seconds(10) {
                        for (service, port) in ports where refusedAfter[service] == nil {
                            if LoopbackHTTP.get(port: port, path: paths[service]!, token: secret)?.status == 401 {
                                refusedAfter[service] = clock.now - revokedAt
                            }
                        }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    print("revocation seen after: \(refusedAfter.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
                    for service in ports.keys {
                        let after = try #require(refusedAfter[service], "\(service) still accepts the revoked token after 10 s")
                        #expect(after <= .seconds(5), "\(service) accepted the revoked token for \(after)")
                    }
                    let afterRevoke = try await Fleetctl.run(["alerts", "list"], environment: profile)
                    #expect(afterRevoke.exitCode != FleetctlExit.success, "\(afterRevoke)")

                    // With the identity service down, a token nobody has checked yet gets 503 (retry later), never 200.
                    let unchecked = try #require(try await control.fleetctl("tokens", "create", "--name", "late", "--scope", "fleet:read", "-o", "json").json()["token"] as? String)
                    control.stop()
                    let down = LoopbackHTTP.get(port: tracking.port, path: "/v1/vehicles", token: unchecked)
                    #expect(down?.status == 503, "\(String(describing: down))")
                }
            }
        }
        withExtendedLifetime(broker) {}
    }
}
