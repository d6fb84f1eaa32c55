import FleetGeo
import Foundation
import Testing

@Suite("PBF and XML readers agree on Monaco")
struct FormatAgreementTests {
    @Test("PBF extract written as XML reads back identically and builds the identical graph")
    func pbfRoundTripsThroughXML() throws {
        let extract = try Monaco.pbfExtract.get()
        let graph = try Monaco.pbfGraph.get()
        let xml = OSMXMLWriter.xml(for: extract)
        let reread = try OSMXMLReader.read(data: Data(xml.utf8))
        #expect(reread.nodes.count == extract.nodes.count)
        #expect(reread.ways.count == extract.ways.count)
        #expect(reread == extract)
        let rebuilt = RoadGraph(extract: reread)
        #expect(rebuilt.nodeCount == graph.nodeCount)
        #expect(rebuilt.edgeCount == graph.edgeCount)
        #expect(rebuilt == graph)
    }

    @Test("PBF sizes are plausible for Monaco")
    func pbfSizes() throws {
        let extract = try Monaco.pbfExtract.get()
        let graph = try Monaco.pbfGraph.get()
        print("PBF: \(extract.ways.count) highway ways, \(extract.nodes.count) referenced nodes → graph \(graph.nodeCount) nodes, \(graph.edgeCount) edges, \(graph.geometryPointCount) shape points, \(totalKilometres(graph)) km of directed edges")
        // The README: 2,927 ways with highway=*.
        #expect(extract.ways.count == 2_927)
    }

    @Test("The shipped XML (an older, partial 2012 snapshot) gives a smaller graph that overlaps the PBF's")
    func xmlSizes() throws {
        let extract = try Monaco.xmlExtract.get()
        let graph = try Monaco.xmlGraph.get()
        let pbfGraph = try Monaco.pbfGraph.get()
        print("XML: \(extract.ways.count) highway ways, \(extract.nodes.count) referenced nodes → graph \(graph.nodeCount) nodes, \(graph.edgeCount) edges, \(totalKilometres(graph)) km of directed edges")
        // The README: 866 ways with highway=*.
        #expect(extract.ways.count == 866)
        #expect(graph.nodeCount < pbfGraph.nodeCount)
    }

    private func totalKilometres(_ graph: RoadGraph) -> Int {
        Int((0..<graph.edgeCount).reduce(0) { $0 + graph.length(of: $1) } / 1000)
    }
}
