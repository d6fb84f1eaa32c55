/// What kind of abnormal behaviour a signal shows.
public enum AnomalyKind: String, Sendable, CaseIterable, Codable {
    /// One sample far off its neighbours, which agree with each other (confirmed one sample late).
    case spike
    /// A slow, sustained move away from the signal's recent level (two-sided Page-Hinkley on the EWMA residual).
    case drift
    /// The value repeats exactly while the quantities it should follow keep changing (a frozen sensor).
    case stuck

    /// The bit that marks this kind in the detector's packed state.
    var bit: UInt8 {
        switch self {
        case .spike: 1
        case .drift: 2
        case .stuck: 4
        }
    }
}
