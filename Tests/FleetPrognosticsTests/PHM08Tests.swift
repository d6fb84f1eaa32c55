import Foundation
import Testing

@testable import FleetPrognostics

@Suite struct PHM08Tests {
    @Test func rmseOfHandCase() {
        // d = (+3, −4, 0): √((9 + 16 + 0) / 3) = √(25/3) = 2.886751345948129
        #expect(abs(PHM08.rmse(predicted: [13, 6, 7], actual: [10, 10, 7]) - 2.886751345948129) < 1e-12)
        #expect(PHM08.rmse(predicted: [5], actual: [5]) == 0)
    }

    @Test func scoreIsAsymmetric() {
        // late by 10: e^(10/10) − 1 = 1.718281828459045; early by 13: e^(13/13) − 1 = the same
        #expect(abs(PHM08.score(error: 10) - 1.718281828459045) < 1e-12)
        #expect(abs(PHM08.score(error: -13) - 1.718281828459045) < 1e-12)
        // early by 10: e^(10/13) − 1 = 1.1581055339484458, cheaper than late by 10
        #expect(abs(PHM08.score(error: -10) - 1.1581055339484458) < 1e-12)
        #expect(PHM08.score(error: 0) == 0)
        // S sums the per-unit scores: d = (+10, −13, 0)
        #expect(abs(PHM08.score(predicted: [20, 0, 5], actual: [10, 13, 5]) - 3.43656365691809) < 1e-12)
    }
}
