/// One `"key": value` pair of a JSON object.
struct JSONMember {
    let key: String
    /// ``JSONKeyHash`` of the key's UTF-8, so lookups compare integers before strings.
    let keyHash: UInt64
    let value: JSONValue
}
