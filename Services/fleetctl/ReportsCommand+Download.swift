import ArgumentParser
import Foundation

extension ReportsCommand {
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a report's files (CSV, HTML, JSON) into a directory: all of them, or the one named by --file.",
            discussion: """
                Each file is checked against the size the report lists before it is written. File names come from the service \
                and are refused (exit 1, nothing written) unless they are plain names: no '/', '\\', '..' or control characters.
                """)
        @OptionGroup var tracking: TrackingAPIOptions
        @Argument(help: "Report id.") var id: String
        @Option(help: "Only this file (e.g. vehicles.csv, report.html).") var file: String?
        @Option(help: "Directory to write into (created if missing).") var out = "."

        func validate() throws {
            if let file, !Self.isPlainFileName(file) {
                throw ValidationError("--file must be a plain file name (no '/', '\\', '..' or control characters), got '\(file)'")
            }
        }

        /// Whether `name` may be used as a file name inside the output directory: not empty, at most 255 bytes, and with no
        /// path separator, no `..` and no control character, so a name sent by the service cannot write elsewhere.
        static func isPlainFileName(_ name: String) -> Bool {
            !name.isEmpty && name.utf8.count <= 255 && name != "." && !name.contains("/") && !name.contains("\\") && !name.contains("..")
                && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        }

        func run() async throws {
            try await tracking.run {
                let client = tracking.client()
                let report = try await client.get("/v1/reports/\(id.urlComponent)").object
                let listed = report["files"] as? [[String: Any]] ?? []
                let listedNames = listed.map { TableOutput.cell($0["name"]) }
                let chosen = file.map { name in listed.filter { $0["name"] as? String == name } } ?? listed
                if let file, chosen.isEmpty {
                    throw ControlCLIError(
                        code: .notFound, message: "report \(id) has no file \(file) (it has \(listedNames.isEmpty ? "none" : listedNames.joined(separator: ", ")))")
                }
                guard !chosen.isEmpty else { throw ControlCLIError(code: .failed, message: "report \(id) lists no files") }
                // Every name is checked before anything is written.
                let files = try chosen.map { entry -> (name: String, bytes: Int?) in
                    guard let name = entry["name"] as? String, Self.isPlainFileName(name) else {
                        throw ControlCLIError(
                            code: .failed,
                            message: "refusing the file name \(String(reflecting: TableOutput.cell(entry["name"]))) that fleet-tracking listed for report \(id): not a plain file name")
                    }
                    return (name, (entry["bytes"] as? NSNumber)?.intValue)
                }
                let directory = URL(fileURLWithPath: out, isDirectory: true)
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    throw ControlCLIError(code: .failed, message: "cannot create \(out): \(error.localizedDescription)")
                }
                var written: [[String: Any]] = []
                for (name, bytes) in files {
                    let reply = try await client.get("/v1/reports/\(id.urlComponent)/files/\(name.urlComponent)")
                    if let bytes, bytes != reply.body.count {
                        throw ControlCLIError(
                            code: .failed, message: "\(name) of report \(id): the report lists \(bytes) bytes, fleet-tracking sent \(reply.body.count); not written")
                    }
                    let path = directory.appendingPathComponent(name)
                    do {
                        try Data(reply.body).write(to: path, options: .atomic)
                    } catch {
                        throw ControlCLIError(code: .failed, message: "cannot write \(path.path): \(error.localizedDescription)")
                    }
                    written.append(["name": name, "path": path.path, "bytes": reply.body.count])
                    if !tracking.isJSON { emit("\(path.path)  \(reply.body.count) bytes") }
                }
                if tracking.isJSON {
                    emit(String(decoding: try JSONSerialization.data(withJSONObject: ["files": written], options: [.sortedKeys]), as: UTF8.self))
                }
            }
        }
    }
}
