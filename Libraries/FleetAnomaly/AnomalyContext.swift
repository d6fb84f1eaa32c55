/// What the caller knows about the rest of the vehicle at the moment of one sample.
///
/// The detector is univariate; the context only gates it. `moving` tells stuck detection whether an exactly repeated
/// value is suspicious (a speed of 0 repeated while parked is not), `idle` pauses learning and drift accumulation
/// while the vehicle stands or the engine warms up, when the signal's distribution differs from driving.
public struct AnomalyContext: Sendable, Equatable {
    /// Whether the quantities this signal should follow are changing now (e.g. rpm changed for speed, speed changed for
    /// rpm). `true` lets a repeated value count towards `stuck`; `false` holds the count; `nil` (unknown) holds it too,
    /// so stuck detection never fires without context.
    public var moving: Bool?
    /// Whether the vehicle is idle (standing, engine warming up): the detector still checks spikes against what it
    /// learned, but neither learns from the sample nor accumulates drift evidence.
    public var idle: Bool

    /// Creates a context.
    public init(moving: Bool?, idle: Bool = false) {
        self.moving = moving
        self.idle = idle
    }

    /// Nothing known: stuck detection pauses, spikes and drift are scored as usual.
    public static let none = AnomalyContext(moving: nil, idle: false)
}
