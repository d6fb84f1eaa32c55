import Foundation

extension RoadGraph {
    /// Reads an OSM extract (PBF or XML, see `OSMFileFormat.detect`) and builds its drivable graph.
    public static func load(
        contentsOf url: URL, format: OSMFileFormat? = nil, profile: DrivingProfile = .car
    ) throws(OSMError) -> RoadGraph {
        RoadGraph(extract: try OSMExtract.read(contentsOf: url, format: format), profile: profile)
    }
}

extension OSMExtract {
    /// Reads an OSM extract in `format`, or the format `OSMFileFormat.detect` finds.
    public static func read(contentsOf url: URL, format: OSMFileFormat? = nil) throws(OSMError) -> OSMExtract {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw OSMError(.unreadable, reason: "cannot read \(url.path)")
        }
        switch format ?? OSMFileFormat.detect(url) {
        case .pbf: return try OSMPBFReader.read(contentsOf: url)
        case .xml: return try OSMXMLReader.read(contentsOf: url)
        case nil: throw OSMError(.unknownFormat, reason: "\(url.lastPathComponent) is neither OSM PBF nor OSM XML")
        }
    }
}
