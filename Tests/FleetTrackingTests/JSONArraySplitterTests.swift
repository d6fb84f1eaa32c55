import Testing

@testable import FleetTracking

@Suite("JSON array splitter")
struct JSONArraySplitterTests {
    func split(_ text: String) -> [String]? {
        JSONArraySplitter.elements(of: Array(text.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("Splits top-level elements, respecting strings, escapes and nesting")
    func elements() {
        #expect(split(#" [ {"a":"x,]"} , {"b":[1,2,{"c":"\"]"}]} ] "#) == [#"{"a":"x,]"}"#, #"{"b":[1,2,{"c":"\"]"}]}"#])
        #expect(split(#"{"a":1}"#) == [#"{"a":1}"#])
        #expect(split("[]") == [])
        #expect(split("[1, 2]") == ["1", "2"])
    }

    @Test("Rejects what is not one array or object")
    func invalid() {
        #expect(split("") == nil)
        #expect(split("42") == nil)
        #expect(split("[1,,2]") == nil)
        #expect(split("[1] x") == nil)
        #expect(split("[1") == nil)
    }
}
