import FleetGeo

/// Writes an ``OSMExtract`` as OSM XML, with coordinates printed exactly from their fixed-point values.
enum OSMXMLWriter {
    static func xml(for extract: OSMExtract) -> String {
        var text = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"FleetGeoTests\">\n"
        for node in extract.nodes {
            text += "  <node id=\"\(node.id)\" lat=\"\(degrees(node.latitudeE7))\" lon=\"\(degrees(node.longitudeE7))\"/>\n"
        }
        for way in extract.ways {
            text += "  <way id=\"\(way.id)\">\n"
            for ref in way.nodeIDs { text += "    <nd ref=\"\(ref)\"/>\n" }
            for (key, value) in way.tags.sorted(by: { $0.key < $1.key }) {
                text += "    <tag k=\"\(escape(key))\" v=\"\(escape(value))\"/>\n"
            }
            text += "  </way>\n"
        }
        return text + "</osm>\n"
    }

    /// `437384100` → `43.7384100`.
    static func degrees(_ e7: Int32) -> String {
        let magnitude = abs(Int64(e7))
        let fraction = String(magnitude % 10_000_000)
        return "\(e7 < 0 ? "-" : "")\(magnitude / 10_000_000).\(String(repeating: "0", count: 7 - fraction.count))\(fraction)"
    }

    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += "&#10;"
            case "\t": result += "&#9;"
            case "\r": result += "&#13;"
            default: result.append(character)
            }
        }
        return result
    }
}
