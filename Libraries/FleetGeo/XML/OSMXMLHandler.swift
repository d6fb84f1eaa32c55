import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The `XMLParserDelegate` behind ``OSMXMLReader``; lives only for one synchronous `parse()` call.
final class OSMXMLHandler: NSObject, XMLParserDelegate {
    private(set) var nodes: [OSMNode] = []
    private(set) var ways: [OSMWay] = []
    private(set) var failure: OSMError?
    private(set) var sawRoot = false

    /// The way being read, between `<way>` and `</way>`.
    private var currentWay: OSMWay?
    /// Names of the elements started but not yet ended (non-empty after parsing: the document was cut short).
    private var elementStack: [String] = []

    /// Number of elements still open.
    var openElements: Int { elementStack.count }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elementStack.append(elementName)
        if elementStack.count == 1 {
            guard elementName == "osm" else {
                return fail(parser, "root element is <\(elementName)>, expected <osm>")
            }
            sawRoot = true
            return
        }
        switch elementName {
        case "node":
            guard let id = attributes["id"].flatMap({ Int64($0) }) else { return fail(parser, "<node> without a valid id") }
            guard let latitude = attributes["lat"].flatMap({ FixedPointDegrees.parse($0, limit: 900_000_000) }),
                let longitude = attributes["lon"].flatMap({ FixedPointDegrees.parse($0, limit: 1_800_000_000) })
            else {
                // Deleted nodes in change files carry no position; in an extract that is an error.
                return fail(parser, "node \(id) lacks a valid lat/lon")
            }
            nodes.append(OSMNode(id: id, latitudeE7: latitude, longitudeE7: longitude))
        case "way":
            guard let id = attributes["id"].flatMap({ Int64($0) }) else { return fail(parser, "<way> without a valid id") }
            currentWay = OSMWay(id: id, nodeIDs: [], tags: [:])
        case "nd":
            guard currentWay != nil else { return }
            guard let ref = attributes["ref"].flatMap({ Int64($0) }) else { return fail(parser, "<nd> without a valid ref") }
            currentWay?.nodeIDs.append(ref)
        case "tag":
            guard currentWay != nil else { return }
            guard let key = attributes["k"], let value = attributes["v"] else {
                return fail(parser, "<tag> without k or v")
            }
            currentWay?.tags[key] = value
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        // FoundationXML's libxml2 runs in recovery mode and tolerates mismatched end tags; reject them here.
        guard elementStack.last == elementName else {
            return fail(parser, "</\(elementName)> does not close <\(elementStack.last ?? "")>")
        }
        elementStack.removeLast()
        if elementName == "way", let way = currentWay {
            currentWay = nil
            if way.tags["highway"] != nil { ways.append(way) }
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        // Recovery mode may report an error and still finish; any reported error fails the read.
        fail(parser, "XML syntax error: \(parseError.localizedDescription)")
    }

    private func fail(_ parser: XMLParser, _ reason: String) {
        if failure == nil {
            failure = OSMError(.malformed, reason: reason, location: parser.lineNumber)
        }
        parser.abortParsing()
    }
}
