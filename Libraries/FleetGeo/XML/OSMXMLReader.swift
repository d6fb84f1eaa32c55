import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads OpenStreetMap XML (`.osm`, API 0.6) with a streaming SAX parser.
///
/// Only `<node id lat lon>`, `<way id>` with its `<nd ref>` and `<tag k v>` children, and the `<osm>` root matter;
/// everything else (relations, bounds, metadata attributes) is skipped. Keeps what ``OSMExtract`` documents.
public enum OSMXMLReader {
    /// Reads the file at `url`, streaming it from disk.
    public static func read(contentsOf url: URL) throws(OSMError) -> OSMExtract {
        guard FileManager.default.isReadableFile(atPath: url.path), let stream = InputStream(url: url) else {
            throw OSMError(.unreadable, reason: "cannot read \(url.path)")
        }
        return try read(XMLParser(stream: stream))
    }

    /// Reads a complete XML document held in memory.
    public static func read(data: Data) throws(OSMError) -> OSMExtract {
        try read(XMLParser(data: data))
    }

    private static func read(_ parser: XMLParser) throws(OSMError) -> OSMExtract {
        let handler = OSMXMLHandler()
        parser.delegate = handler
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let succeeded = parser.parse()
        if let failure = handler.failure {
            throw failure
        }
        guard succeeded else {
            let reason = parser.parserError.map { "XML syntax error: \($0.localizedDescription)" } ?? "XML syntax error"
            throw OSMError(.malformed, reason: reason, location: parser.lineNumber)
        }
        guard handler.openElements == 0 else {
            throw OSMError(.truncated, reason: "document ends inside \(handler.openElements) open element(s)", location: parser.lineNumber)
        }
        guard handler.sawRoot else {
            throw OSMError(.malformed, reason: "document has no <osm> root element", location: parser.lineNumber)
        }
        return OSMExtract(nodes: handler.nodes, ways: handler.ways)
    }
}
