import ArgumentParser
import FleetCore
import FleetMQTT
import FleetWebhooks
import Foundation
import Synchronization

/// `fleetctl bench webhooks`: event → webhook delivered latency through a running fleet-alerting, with a receiver outage.
struct BenchWebhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Event → delivered webhook latency at a steady rate, with a receiver outage in the middle.",
        discussion: """
            Needs a running broker and fleet-alerting whose FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS includes the receiver's address
            (127.0.0.0/8). Creates a rule and a webhook to a local receiver, publishes `fault` events at --rate for --duration s,
            takes the receiver down for --outage s starting at --outage-start s, then waits until every alert was delivered.
            Prints p50/p99 latency before, during and after the outage, lost alerts and duplicates. Targets: p99 ≤ 500 ms while
            the receiver is up; nothing lost; duplicates only with the same webhook-id. Exit status 1 if anything was lost.
            """
    )

    @OptionGroup var connection: MQTTOptions
    @OptionGroup var api: AlertingAPIOptions
    @Option(help: "Events per second.") var rate: Double = 200
    @Option(help: "Seconds of publishing.") var duration: Double = 120
    @Option(help: "Receiver outage in seconds (0: none).") var outage: Double = 60
    @Option(help: "Seconds after the start when the outage begins.") var outageStart: Double = 30
    @Option(help: "Receiver port.") var receiverPort = 9098
    @Option(help: "Seconds to wait for stragglers after publishing ends.") var drainTimeout: Double = 300
    @Option(help: "Events published this many seconds before the outage count as in flight, not steady state.")
    var grace: Double = 5
    @Option(help: "QoS 1 publishes in flight (each waits for its PUBACK), so a slow broker round trip does not lower the rate.")
    var window = 32

    struct Receipt {
        var first: ContinuousClock.Instant
        var ids: Set<String>
        var count: Int
    }

    struct State {
        var published: [Int: ContinuousClock.Instant] = [:]
        var receipts: [Int: Receipt] = [:]
        var badSignatures = 0
        var otherAlerts = 0
    }

    /// Shared between the publisher and the receiver.
    final class Recorder: Sendable {
        let state = Mutex(State())
    }

    func validate() throws {
        guard rate > 0, duration > 0, outage >= 0, outageStart >= 0 else { throw ValidationError("rates and durations must be positive") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        guard outage == 0 || outageStart + outage < duration else { throw ValidationError("the outage must end before publishing ends") }
    }

    func run() async throws {
        let run = "bench-\(UInt32.random(in: 0...UInt32.max))"
        let client = api.client
        try await client.call(
            "POST", "/v1/rules",
            body: [
                "id": run, "event_types": ["fault"], "tags": [run], "dedup_key": "{rule}:{attr.seq}", "summary": "bench {attr.seq}",
                "resolve_on": [] as [String], "severity": "warning",
            ])
        let webhook = try await client.call(
            "POST", "/v1/webhooks",
            body: ["url": "http://127.0.0.1:\(receiverPort)/hook", "event_types": ["alert.firing"], "description": run]) as? [String: Any] ?? [:]
        let webhookID = webhook.text("id")
        guard let verifier = WebhookSignature(secret: webhook.text("secret")) else { throw FleetctlError("the webhook has no usable secret") }
        let total = Int(rate * duration)
        emit("bench webhooks: \(total) events at \(Int(rate))/s for \(Int(duration)) s; receiver outage \(Int(outage)) s from t=\(Int(outageStart)) s")
        emit("alerting \(api.baseURL), broker \(connection.host):\(connection.port), receiver 127.0.0.1:\(receiverPort), webhook \(webhookID)")

        let state = Recorder()
        let server = WebhookReceiver(host: "127.0.0.1", port: receiverPort, keepsDeliveries: false) { delivery in
            let valid = verifier.verify(id: delivery.id, timestamp: delivery.timestamp, body: delivery.bytes, header: delivery.signature)
            let seq = Self.sequence(in: delivery.bytes, rule: run)
            state.state.withLock { s in
                if !valid { s.badSignatures += 1 }
                guard let seq else { s.otherAlerts += 1; return }
                if var receipt = s.receipts[seq] {
                    receipt.ids.insert(delivery.id)
                    receipt.count += 1
                    s.receipts[seq] = receipt
                } else {
                    s.receipts[seq] = Receipt(first: delivery.at, ids: [delivery.id], count: 1)
                }
            }
        }
        let start = ContinuousClock.now
        let outageBegin = start + .milliseconds(Int64(outageStart * 1000))
        let outageEnd = outageBegin + .milliseconds(Int64(outage * 1000))
        let publishEnd = start + .milliseconds(Int64(duration * 1000))
        let drainDeadline = publishEnd + .milliseconds(Int64(drainTimeout * 1000))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await MQTTClient.withConnection(
                    configuration: connection.configuration(clientID: MQTTOptions.clientID("bench-webhooks")), logger: connection.logger
                ) { mqtt in
                    // Paced lanes: event seq is due at start + seq / rate; up to --window publishes await their PUBACK at
                    // once, so the offered rate does not depend on the broker's round trip.
                    try await withThrowingTaskGroup(of: Void.self) { lanes in
                        for lane in 0..<min(window, total) {
                            lanes.addTask {
                                var seq = lane
                                while seq < total {
                                    let due = start + .microseconds(Int64(Double(seq) / rate * 1_000_000))
                                    if due > .now { try await Task.sleep(until: due) }
                                    let event = FleetEvent(
                                        id: .random(), type: .fault, severity: .warning, vehicleID: try VehicleID("bench-\(seq % 500)"),
                                        timeMillis: Int64(Date().timeIntervalSince1970 * 1000),
                                        attributes: ["seq": "\(seq)", "tag": run, "code": "B\(seq)"])
                                    let bytes = try FleetCodec.encode(event)
                                    let published = seq
                                    state.state.withLock { $0.published[published] = .now }
                                    try await mqtt.publish(bytes, to: FleetTopics.events(.fault))
                                    seq += window
                                }
                            }
                        }
                        try await lanes.waitForAll()
                    }
                    let seconds = Self.seconds(.now - start)
                    emit(String(format: "published %d events in %.1f s (%.0f/s offered)", total, seconds, Double(total) / seconds))
                }
            }
            group.addTask {
                if outage > 0 {
                    try await server.serve { try await Task.sleep(until: outageBegin) }
                    emit("t=\(Self.seconds(.now - start)) s: receiver down")
                    try await Task.sleep(until: outageEnd)
                    emit("t=\(Self.seconds(.now - start)) s: receiver up")
                }
                try await server.serve {
                    while ContinuousClock.now < drainDeadline {
                        let done = state.state.withLock { $0.published.count == total && $0.receipts.count == total }
                        if done { return }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
            try await group.waitForAll()
        }

        let finished = ContinuousClock.now
        let s = state.state.withLock { $0 }
        // Steady state: events published more than --grace s before the outage (normally delivered before it starts).
        let inFlightFrom = outageBegin - .milliseconds(Int64(grace * 1000))
        var before: [Double] = [], inFlight: [Double] = [], during: [Double] = [], after: [Double] = []
        var lastOutageDelivery = outageEnd
        for (seq, publishedAt) in s.published {
            guard let receipt = s.receipts[seq] else { continue }
            let latency = Self.seconds(receipt.first - publishedAt)
            if outage == 0 || publishedAt < inFlightFrom {
                before.append(latency)
            } else if publishedAt < outageBegin {
                inFlight.append(latency)
            } else if publishedAt < outageEnd {
                during.append(latency)
                lastOutageDelivery = max(lastOutageDelivery, receipt.first)
            } else {
                after.append(latency)
            }
        }
        let lost = total - s.receipts.count
        let receipts = s.receipts.values.reduce(0) { $0 + $1.count }
        let sameIDDuplicates = receipts - s.receipts.values.reduce(0) { $0 + $1.ids.count }
        let distinctIDDuplicates = s.receipts.values.filter { $0.ids.count > 1 }.count
        emit("published \(s.published.count), alerts delivered \(s.receipts.count), lost \(lost), receipts \(receipts)")
        emit("duplicates with the same webhook-id: \(sameIDDuplicates); alerts delivered under more than one webhook-id: \(distinctIDDuplicates)")
        emit("invalid signatures: \(s.badSignatures); deliveries of alerts from other rules: \(s.otherAlerts)")
        emit("latency event → delivered (s)        n      p50      p99      max")
        let groups = [
            ("receiver up (steady state)", before), ("in flight when it went down", inFlight), ("published during outage", during),
            ("published after it came back", after),
        ]
        for (name, values) in groups where !values.isEmpty {
            let sorted = values.sorted()
            emit(
                name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(sorted.count).leftPadded(6)
                    + String(format: "%9.3f%9.3f%9.3f", Self.percentile(sorted, 0.5), Self.percentile(sorted, 0.99), sorted.last!))
        }
        if outage > 0 && !during.isEmpty {
            emit(String(format: "backlog drained %.1f s after the receiver came back", Self.seconds(lastOutageDelivery - outageEnd)))
        }
        emit(String(format: "total run %.1f s", Self.seconds(finished - start)))
        if let p99 = before.isEmpty ? nil : Self.percentile(before.sorted(), 0.99) {
            emit("target p99 ≤ 0.500 s while the receiver is up (steady state): \(p99 <= 0.5 ? "met" : "MISSED") (\(String(format: "%.3f", p99)) s)")
        }
        emit("target every alert delivered, none lost: \(lost == 0 ? "met" : "MISSED (\(lost) lost)")")
        emit("target duplicates only with the same webhook-id: \(distinctIDDuplicates == 0 ? "met" : "MISSED")")
        _ = try? await client.call("DELETE", "/v1/webhooks/\(webhookID)")
        _ = try? await client.call("DELETE", "/v1/rules/\(run)")
        if lost > 0 || distinctIDDuplicates > 0 || s.badSignatures > 0 { throw ExitCode(1) }
    }

    /// `data.alert.attributes.seq` of a delivery body whose alert comes from the bench's rule (other rules may match too).
    static func sequence(in body: [UInt8], rule: String) -> Int? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let data = json["data"] as? [String: Any], let alert = data["alert"] as? [String: Any],
            alert["rule_id"] as? String == rule,
            let attributes = alert["attributes"] as? [String: Any], let seq = attributes["seq"] as? String
        else { return nil }
        return Int(seq)
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
