import Foundation

extension AnomalyEvaluation {
    /// The outcome of `run`: per-track and overall figures, rendered by `lines`.
    public struct Report: Sendable {
        /// The seed the injections were drawn from.
        public var seed: UInt64
        /// Copies per track × signal × kind.
        public var replicates: Int
        /// Per-track figures, the calibration track first.
        public var tracks: [TrackFigures]

        /// Figures of one kind over all tracks.
        public func overall(_ kind: AnomalyKind) -> KindFigures {
            var total = KindFigures()
            for track in tracks { total.add(track.kinds[kind] ?? KindFigures()) }
            return total
        }

        /// Figures of one signal and kind over all tracks.
        public func overall(_ kind: AnomalyKind, signal: String) -> KindFigures {
            var total = KindFigures()
            for track in tracks { total.add(track.signalKinds[signal]?[kind] ?? KindFigures()) }
            return total
        }

        /// Micro-averaged precision over all kinds and tracks.
        public var precision: Double {
            let all = AnomalyKind.allCases.map(overall)
            let tp = all.reduce(0) { $0 + $1.truePositives }
            return ratio(tp, tp + all.reduce(0) { $0 + $1.falsePositives })
        }

        /// Micro-averaged recall over all kinds and tracks.
        public var recall: Double {
            let all = AnomalyKind.allCases.map(overall)
            return ratio(all.reduce(0) { $0 + $1.detected }, all.reduce(0) { $0 + $1.events })
        }

        /// Clean findings of every signal per driving hour, over all tracks.
        public var falseAlarmsPerHour: Double {
            let hours = tracks.reduce(0) { $0 + $1.hours }
            let findings = tracks.reduce(0) { $0 + $1.cleanFindings.values.reduce(0, +) }
            return hours > 0 ? Double(findings) / hours : 0
        }

        /// A table for the terminal; the last line is `anomaly precision=… recall=… false_alarms_per_hour=…`.
        public var lines: [String] {
            var lines = [
                "anomaly evaluation seed=\(seed) replicates=\(replicates) signals="
                    + AnomalyEvaluation.signals.map(\.name).joined(separator: ","),
                row("track", "role", "kind", "events", "detected", "tp", "fp", "precision", "recall", "f1", "delay_s"),
            ]
            func figuresRow(_ track: String, _ role: String, _ kind: AnomalyKind, _ f: KindFigures) -> String {
                row(
                    track, role, kind.rawValue, "\(f.events)", "\(f.detected)", "\(f.truePositives)",
                    "\(f.falsePositives)", fixed(f.precision), fixed(f.recall), fixed(f.f1),
                    f.medianDelaySeconds.map { fixed($0, 0) } ?? "-")
            }
            for track in tracks {
                for kind in AnomalyKind.allCases {
                    lines.append(figuresRow(track.name, track.role, kind, track.kinds[kind] ?? KindFigures()))
                }
            }
            for kind in AnomalyKind.allCases { lines.append(figuresRow("all", "-", kind, overall(kind))) }
            for signal in AnomalyEvaluation.signals {
                let recalls = AnomalyKind.allCases.map { kind in
                    let figures = overall(kind, signal: signal.name)
                    return figures.events > 0
                        ? "\(kind.rawValue) \(figures.detected)/\(figures.events) fp=\(figures.falsePositives)" : "\(kind.rawValue) -"
                }
                lines.append("signal \(signal.name): " + recalls.joined(separator: ", "))
            }
            for track in tracks {
                let counts = AnomalyKind.allCases.map { "\($0.rawValue)=\(track.cleanFindings[$0] ?? 0)" }
                lines.append(
                    "clean \(track.name) (\(track.role)): \(track.samples) points, \(fixed(track.hours)) h, "
                        + "\(AnomalyEvaluation.signals.count) signals, findings \(counts.joined(separator: " ")), "
                        + "false_alarms_per_hour=\(fixed(track.falseAlarmsPerHour))")
            }
            lines.append("drift delay_s is the median time from ramp start to the first drift finding")
            lines.append(
                "anomaly precision=\(fixed(precision, 3)) recall=\(fixed(recall, 3)) "
                    + "false_alarms_per_hour=\(fixed(falseAlarmsPerHour))")
            return lines
        }
    }
}

private func row(_ columns: String...) -> String {
    let widths = [8, 12, 6, 7, 9, 5, 5, 10, 7, 6, 8]
    return zip(columns, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }
        .joined(separator: " ").trimmingCharacters(in: .whitespaces)
}

func fixed(_ value: Double, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", value)
}
