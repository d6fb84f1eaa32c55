import Foundation

/// The OpenStreetMap file formats FleetGeo reads.
public enum OSMFileFormat: String, Hashable, Sendable, CaseIterable {
    /// Protocol-buffer binary format (`.osm.pbf`).
    case pbf
    /// OSM XML (`.osm`, `.xml`).
    case xml

    /// The format of the file at `url`: by extension, else by its first bytes; `nil` if neither tells.
    public static func detect(_ url: URL) -> OSMFileFormat? {
        switch url.pathExtension.lowercased() {
        case "pbf": return .pbf
        case "osm", "xml": return .xml
        default: break
        }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 16) else { return nil }
        return detect(head)
    }

    /// The format of a file starting with `head`: XML starts with `<` (after whitespace or a byte-order mark);
    /// PBF with a small big-endian length followed by the `BlobHeader` type field (`0x0A`).
    public static func detect(_ head: Data) -> OSMFileFormat? {
        let bytes = [UInt8](head.prefix(16))
        if let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }),
            first == UInt8(ascii: "<")
        {
            return .xml
        }
        if bytes.count >= 5, bytes[0] == 0, bytes[1] == 0, bytes[4] == 0x0A { return .pbf }
        return nil
    }
}
