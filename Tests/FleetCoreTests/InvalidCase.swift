import FleetCore
import Testing

/// One invalid mutation of a valid message and the field the error must name.
struct InvalidCase<M: WireMessage>: Sendable, CustomTestStringConvertible {
    let field: String
    let note: String
    let mutate: @Sendable (inout M) -> Void

    init(_ field: String, _ note: String, _ mutate: @escaping @Sendable (inout M) -> Void) {
        self.field = field
        self.note = note
        self.mutate = mutate
    }

    var testDescription: String { "\(field): \(note)" }

    /// Checks that validation, encoding and decoding (from hand-made JSON) all reject the mutation.
    func check(base: M) {
        var message = base
        mutate(&message)
        #expect(throws: ValidationError.self) { try message.validate() }
        do {
            try message.validate()
        } catch {
            #expect(error.field == field, "reason: \(error.reason)")
            #expect(!error.reason.isEmpty)
        }
        for format in WireFormat.allCases {
            do {
                _ = try FleetCodec.encode(message, format: format)
                Issue.record("encoding an invalid \(M.self) must fail")
            } catch {
                #expect(error.kind == .invalidValue)
                #expect(error.field == field)
            }
        }
    }
}
