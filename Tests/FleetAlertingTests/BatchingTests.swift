import FleetCore
import Foundation
import Testing

@testable import FleetAlerting

@Suite("Batching: consumer batch plans and queues, dispatcher inbox")
struct BatchingTests {
    @Test("The n-th operation on a dedup key goes to round n; clears come before fires; event order is kept")
    func plan() {
        let offline = AlertRule(id: "offline", eventTypes: ["offline"])  // cleared by online
        let fault = AlertRule(id: "fault", eventTypes: ["fault"], dedupKey: "{rule}:{vehicle}:{attr.code}")
        let events = [
            event(.offline, "a"), event(.offline, "b"), event(.offline, "a"), event(.online, "a"),
            event(.fault, "a", attributes: ["code": "P1"]), event(.offline, "a"), event(.moving, "c"),
        ]
        let plan = EventBatchPlan(events: events, rules: [offline, fault])
        #expect(plan.keys == ["offline:a", "offline:b", "fault:a:P1"])
        #expect(plan.operationCount == 6, "moving matches no rule")
        #expect(plan.rounds.map { $0.map(\.key) } == [["offline:a", "offline:b", "fault:a:P1"], ["offline:a"], ["offline:a"], ["offline:a"]])
        #expect(plan.rounds.map { $0.map(\.kind) } == [[.fire, .fire, .fire], [.fire], [.clear], [.fire]])
        #expect(plan.rounds.map { $0.map(\.event) } == [[events[0], events[1], events[4]], [events[2]], [events[3]], [events[5]]])
        for round in plan.rounds {
            #expect(Set(round.map(\.key)).count == round.count, "one operation per key in a round")
        }
        #expect(EventBatchPlan(events: [event(.moving, "c")], rules: [offline, fault]).isEmpty)
    }

    @Test("An event that clears and fires the same key clears first")
    func clearBeforeFire() {
        // Both rules use the vehicle as the key: `moving` alerts are cleared by `stopped`, which fires `stuck`.
        let moving = AlertRule(id: "moving", eventTypes: ["moving"], dedupKey: "{vehicle}")
        let stuck = AlertRule(id: "stuck", eventTypes: ["stopped"], dedupKey: "{vehicle}", resolveOn: [])
        let plan = EventBatchPlan(events: [event(.stopped, "x")], rules: [stuck, moving])
        #expect(plan.rounds.map { $0.map(\.kind) } == [[.clear], [.fire]])
        #expect(plan.rounds.map { $0.map(\.rule.id) } == [["moving"], ["stuck"]])
    }

    @Test("A consumer queue hands over what is queued at once, up to the bound, and drains after finish")
    func queue() async {
        let queue = EventQueue()
        let events = (0..<5).map { event(.offline, "v\($0)") }
        for event in events { queue.append(event) }
        queue.finish()
        var batches: [[FleetEvent]] = []
        await queue.forEachBatch(max: 3) { batches.append($0) }
        #expect(batches == [Array(events[0..<3]), Array(events[3...])])
        #expect(queue.take(max: 3).isEmpty)
    }

    @Test("The in-flight limiter frees a whole batch's slots at once", .timeLimit(.minutes(1)))
    func limiter() async {
        let limiter = InFlightLimiter(limit: 2)
        await limiter.acquire()
        await limiter.acquire()
        async let third: Void = limiter.acquire()
        async let fourth: Void = limiter.acquire()
        await limiter.release(2)
        _ = await (third, fourth)
        await limiter.release(2)
    }

    @Test("The dispatcher inbox wakes the loop and hands over all mail at once; stopping stays set")
    func inbox() async {
        let inbox = DispatchInbox()
        inbox.post(DeliveryOutcome(id: "a", result: .delivered(statusCode: 204)))
        inbox.post(DeliveryOutcome(id: "b", result: .released(retryAt: Date(timeIntervalSince1970: 0))))
        inbox.recovered("wh_1")
        inbox.markDue()
        var wakeUps = inbox.wakeUps.makeAsyncIterator()
        let woke = await wakeUps.next()
        #expect(woke != nil)
        let mail = inbox.take()
        #expect(mail.outcomes.map(\.id) == ["a", "b"])
        #expect(mail.recovered == ["wh_1"] && mail.due && !mail.stopping)
        let empty = inbox.take()
        #expect(empty.outcomes.isEmpty && empty.recovered.isEmpty && !empty.due)
        inbox.stop()
        #expect(inbox.take().stopping)
        #expect(inbox.take().stopping, "stopping is not consumed")
    }
}
