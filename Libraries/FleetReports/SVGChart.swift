import Foundation

/// Bar charts drawn as inline SVG by our own code (no scripts, no external resources), styled by the page's `<style>`
/// (classes `chart`, `bar`, `grid`, `axis`, `unit`, `empty`).
///
/// Axes start at zero and end at a nice value: ticks are a multiple of 1, 2 or 5 × 10ⁿ. Empty data draws `no data`;
/// a single value or all zeros still gets a non-zero axis, so nothing divides by zero. Negative and non-finite values
/// are drawn as zero.
enum SVGChart {
    /// One bar: its label, its value and the value as shown beside the bar.
    struct Bar: Sendable, Hashable {
        var label: String
        var value: Double
        var valueLabel: String
    }

    /// Width of every chart in SVG user units; the page scales it to the screen.
    static let width = 640.0

    /// A column chart (one vertical bar per entry, left to right), e.g. distance per day. With more than 12 columns only
    /// every n-th label is written so they do not overlap.
    static func columns(title: String, unit: String, bars: [Bar], integers: Bool = false) -> String {
        guard !bars.isEmpty else { return noData(title: title) }
        let height = 260.0
        let left = 56.0
        let right = 12.0
        let top = 24.0
        let bottom = 36.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let (step, axisTop) = scale(maximum: bars.map { drawable($0.value) }.max() ?? 0, integers: integers)
        var svg = open(title: title, height: height)
        svg += text(x: 4, y: 14, anchor: "start", class: "unit", unit)
        for tick in 0...tickCount(step: step, top: axisTop) {
            let value = Double(tick) * step
            let y = top + plotHeight - value / axisTop * plotHeight
            svg += line(x1: left, y1: y, x2: left + plotWidth, y2: y, class: "grid")
            svg += text(x: left - 6, y: y + 4, anchor: "end", tickLabel(value, step: step))
        }
        let slot = plotWidth / Double(bars.count)
        let barWidth = max(1, slot * 0.7)
        let labelEvery = max(1, Int((Double(bars.count) / 12).rounded(.up)))
        for (index, bar) in bars.enumerated() {
            let barHeight = drawable(bar.value) / axisTop * plotHeight
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            let center = left + (Double(index) + 0.5) * slot
            svg += rect(x: x, y: top + plotHeight - barHeight, width: barWidth, height: barHeight, tooltip: "\(bar.label): \(bar.valueLabel)")
            if bars.count <= 16 {
                svg += text(x: center, y: top + plotHeight - barHeight - 4, anchor: "middle", bar.valueLabel)
            }
            if index % labelEvery == 0 {
                svg += text(x: center, y: top + plotHeight + 16, anchor: "middle", ReportFormat.truncated(bar.label, to: 12))
            }
        }
        svg += line(x1: left, y1: top, x2: left, y2: top + plotHeight, class: "axis")
        svg += line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, class: "axis")
        return svg + "</svg>\n"
    }

    /// A horizontal bar chart (one row per entry, top to bottom), e.g. distance per tag; labels longer than 24
    /// characters are cut.
    static func horizontalBars(title: String, unit: String, bars: [Bar], integers: Bool = false) -> String {
        guard !bars.isEmpty else { return noData(title: title) }
        let rowHeight = 24.0
        let top = 8.0
        let bottom = 40.0
        let labelWidth = 170.0
        let valueWidth = 90.0
        let plotWidth = width - labelWidth - valueWidth
        let plotHeight = rowHeight * Double(bars.count)
        let height = top + plotHeight + bottom
        let (step, axisTop) = scale(maximum: bars.map { drawable($0.value) }.max() ?? 0, integers: integers)
        var svg = open(title: title, height: height)
        for tick in 0...tickCount(step: step, top: axisTop) {
            let value = Double(tick) * step
            let x = labelWidth + value / axisTop * plotWidth
            svg += line(x1: x, y1: top, x2: x, y2: top + plotHeight, class: "grid")
            svg += text(x: x, y: top + plotHeight + 16, anchor: "middle", tickLabel(value, step: step))
        }
        for (index, bar) in bars.enumerated() {
            let y = top + Double(index) * rowHeight
            let barWidth = drawable(bar.value) / axisTop * plotWidth
            svg += text(x: labelWidth - 8, y: y + rowHeight / 2 + 4, anchor: "end", ReportFormat.truncated(bar.label, to: 24))
            svg += rect(x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, tooltip: "\(bar.label): \(bar.valueLabel)")
            svg += text(x: labelWidth + barWidth + 4, y: y + rowHeight / 2 + 4, anchor: "start", bar.valueLabel)
        }
        svg += line(x1: labelWidth, y1: top, x2: labelWidth, y2: top + plotHeight, class: "axis")
        svg += line(x1: labelWidth, y1: top + plotHeight, x2: labelWidth + plotWidth, y2: top + plotHeight, class: "axis")
        svg += text(x: labelWidth + plotWidth, y: height - 4, anchor: "end", class: "unit", unit)
        return svg + "</svg>\n"
    }

    /// A chart frame that says `no data`.
    static func noData(title: String) -> String {
        open(title: title, height: 80) + text(x: width / 2, y: 44, anchor: "middle", class: "empty", "no data") + "</svg>\n"
    }

    // MARK: Scale

    /// A nice axis for values up to `maximum`: about `targetTicks` steps of 1, 2 or 5 × 10ⁿ (at least 1 for
    /// `integers`), and the axis end, the first step multiple at or above `maximum`. A maximum that is not positive
    /// gets the axis of 1.
    static func scale(maximum: Double, integers: Bool, targetTicks: Int = 5) -> (step: Double, top: Double) {
        let maximum = maximum.isFinite && maximum > 0 ? maximum : 1
        let raw = maximum / Double(max(1, targetTicks))
        let magnitude = pow(10, log10(raw).rounded(.down))
        let residual = raw / magnitude
        // The tolerance keeps a value such as 2.0000000000000004 (from rounding) on 2 rather than 5.
        let nice: Double = residual <= 1 + 1e-9 ? 1 : residual <= 2 + 1e-9 ? 2 : residual <= 5 + 1e-9 ? 5 : 10
        var step = nice * magnitude
        if integers { step = max(1, step.rounded(.up)) }
        let steps = max(1, (maximum / step - 1e-9).rounded(.up))
        return (step, steps * step)
    }

    /// The tick value's label: no decimals for steps of 1 or more, otherwise as many as the step needs.
    static func tickLabel(_ value: Double, step: Double) -> String {
        let decimals = step >= 1 ? 0 : min(6, Int(-log10(step).rounded(.down)))
        return ReportFormat.fixed(value, decimals)
    }

    /// Ticks after zero up to `top`.
    static func tickCount(step: Double, top: Double) -> Int {
        min(50, max(1, Int((top / step).rounded())))
    }

    /// The value as drawn: negative and non-finite values as zero.
    static func drawable(_ value: Double) -> Double {
        value.isFinite ? max(0, value) : 0
    }

    // MARK: Elements

    static func open(title: String, height: Double) -> String {
        let title = ReportFormat.html(title)
        return "<svg class=\"chart\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\" role=\"img\" aria-label=\"\(title)\">"
            + "<title>\(title)</title>"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, class name: String) -> String {
        "<line class=\"\(name)\" x1=\"\(coordinate(x1))\" y1=\"\(coordinate(y1))\" x2=\"\(coordinate(x2))\" y2=\"\(coordinate(y2))\"/>"
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, tooltip: String) -> String {
        "<rect class=\"bar\" x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" width=\"\(coordinate(width))\" height=\"\(coordinate(height))\">"
            + "<title>\(ReportFormat.html(tooltip))</title></rect>"
    }

    static func text(x: Double, y: Double, anchor: String, class name: String? = nil, _ content: String) -> String {
        let classAttribute = name.map { " class=\"\($0)\"" } ?? ""
        return "<text x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" text-anchor=\"\(anchor)\"\(classAttribute)>"
            + "\(ReportFormat.html(content))</text>"
    }

    /// A coordinate with one decimal.
    static func coordinate(_ value: Double) -> String {
        ReportFormat.fixed(value, 1)
    }
}
