/// Parsing of OSM `maxspeed` values.
public enum MaxSpeed {
    /// Country-specific zone limits (`FR:urban`), in km/h, where they differ from ``genericZones``.
    static let countryZones: [String: Double] = [
        "de:rural": 100, "de:motorway": 130, "de:living_street": 7, "de:walk": 7,
        "fr:rural": 80, "fr:motorway": 130, "fr:living_street": 20,
        "at:rural": 100, "at:motorway": 130,
        "ch:rural": 80, "ch:motorway": 120,
        "it:rural": 90, "it:motorway": 130, "it:trunk": 110,
        "es:rural": 90, "es:motorway": 120,
        "be:rural": 70, "be-vlg:rural": 70, "be-bru:rural": 70, "be-wal:rural": 90, "be:motorway": 120,
        "nl:rural": 80, "nl:motorway": 100,
        "gb:nsl_single": 96.56, "gb:nsl_dual": 112.65, "gb:motorway": 112.65,
        "us:urban": 40.23, "us:rural": 88.51, "us:motorway": 104.61,
    ]

    /// Zone limits used for any country without an entry in ``countryZones``, in km/h.
    static let genericZones: [String: Double] = [
        "urban": 50, "rural": 90, "trunk": 110, "motorway": 120, "living_street": 20, "walk": 7,
        "zone30": 30, "zone:30": 30, "zone20": 20, "zone:20": 20, "bicycle_road": 30, "school": 30,
    ]

    /// The limit in km/h for a `maxspeed` value, or `nil` when it gives no usable number
    /// (`none`, `signals`, `variable`, garbage) and the road-class default should apply.
    ///
    /// Accepts plain numbers (`50`), units (`30 mph`, `30mph`, `50 km/h`, `10 knots`), country zones
    /// (`FR:urban`, `DE:zone:30`, `GB:nsl_single`), `walk`, and lists (`50;30`, first usable entry wins).
    public static func kilometresPerHour(_ value: String) -> Double? {
        for part in value.split(separator: ";") {
            if let speed = single(part.trimmingWhitespace().lowercased()) { return speed }
        }
        return nil
    }

    private static func single(_ text: String) -> Double? {
        if text == "walk" { return 7 }
        if let colon = text.firstIndex(of: ":") {
            let country = text[..<colon]
            let zone = String(text[text.index(after: colon)...])
            guard (2...6).contains(country.count), country.allSatisfy({ $0.isLetter || $0 == "-" }) else { return nil }
            if let speed = countryZones["\(country):\(zone)"] ?? genericZones[zone] { return speed }
            // `DE:zone:30`, `DE:zone30`: a numbered zone.
            let digits = zone.filter(\.isNumber)
            if zone.hasPrefix("zone"), let number = Double(digits), isPlausible(number) { return number }
            return nil
        }
        var number = Substring(text)
        var factor = 1.0
        for (suffix, multiplier) in [("km/h", 1.0), ("kmh", 1.0), ("kph", 1.0), ("mph", 1.609344), ("knots", 1.852)]
        where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            factor = multiplier
            break
        }
        let digits = String(number.trimmingWhitespace()).replacingComma()
        guard let speed = Double(digits), speed.isFinite else { return nil }
        let kilometresPerHour = speed * factor
        return isPlausible(kilometresPerHour) ? kilometresPerHour : nil
    }

    private static func isPlausible(_ speed: Double) -> Bool {
        speed > 0 && speed <= 300
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let trimmedStart = drop(while: \.isWhitespace)
        return Substring(trimmedStart.reversed().drop(while: \.isWhitespace).reversed())
    }
}

extension String {
    /// `7,5` → `7.5` (decimal commas appear in some regions' data).
    fileprivate func replacingComma() -> String {
        String(map { $0 == "," ? "." : $0 })
    }
}
