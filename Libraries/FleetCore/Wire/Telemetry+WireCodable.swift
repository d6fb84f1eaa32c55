extension Telemetry: WireMessage, WireCodable {
    /// ``MessageKind/telemetry``.
    public static var kind: MessageKind { .telemetry }

    private enum Presence {
        static let accuracy: UInt8 = 1 << 0
        static let battery: UInt8 = 1 << 1
        static let fuel: UInt8 = 1 << 2
        static let engineTemperature: UInt8 = 1 << 3
        static let rpm: UInt8 = 1 << 4
        static let host: UInt8 = 1 << 5
        static let diagnostics: UInt8 = 1 << 6
        static let route: UInt8 = 1 << 7
        static let all: UInt8 = 0b1111_1111
    }

    /// Which optional fields of ``Diagnostics`` follow, in the binary form.
    private enum DiagnosticsPresence {
        static let engineCycle: UInt8 = 1 << 0
        static let batteryCycle: UInt8 = 1 << 1
        static let batteryCapacity: UInt8 = 1 << 2
        static let batteryRated: UInt8 = 1 << 3
        static let all: UInt8 = 0b0000_1111
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("vehicle_id", vehicleID.rawValue)
        writer.field("seq", sequence)
        writer.field("device_time_ms", deviceTimeMillis)
        writer.beginObject("position")
        writer.field("lat", position.latitude)
        writer.field("lon", position.longitude)
        writer.optionalField("accuracy_m", position.accuracyMeters)
        writer.endObject()
        writer.field("speed_mps", speedMetersPerSecond)
        writer.field("heading_deg", headingDegrees)
        writer.field("odometer_m", odometerMeters)
        writer.optionalField("battery_pct", batteryPercent)
        writer.optionalField("fuel_pct", fuelPercent)
        writer.optionalField("engine_temp_c", engineTemperatureCelsius)
        writer.optionalField("rpm", rpm)
        writer.field("status", status.rawValue)
        writer.beginArray("fault_codes")
        for code in faultCodes { writer.element(code) }
        writer.endArray()
        if let host {
            writer.beginObject("host")
            writer.field("cpu_pct", host.cpuPercent)
            writer.field("mem_pct", host.memoryPercent)
            writer.field("disk_pct", host.diskPercent)
            writer.field("net_rx_bps", host.networkRxBytesPerSecond)
            writer.field("net_tx_bps", host.networkTxBytesPerSecond)
            writer.endObject()
        }
        if let diagnostics {
            writer.beginObject("diagnostics")
            if let cycle = diagnostics.engineCycle { writer.field("engine_cycle", cycle) }
            if !diagnostics.engineSensors.isEmpty {
                writer.beginArray("engine_sensors")
                for value in diagnostics.engineSensors { writer.element(value) }
                writer.endArray()
            }
            if let cycle = diagnostics.batteryCycle { writer.field("battery_cycle", cycle) }
            writer.optionalField("battery_capacity_ah", diagnostics.batteryCapacityAh)
            writer.optionalField("battery_rated_ah", diagnostics.batteryRatedAh)
            writer.endObject()
        }
        route?.writeJSON(to: &writer)
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        // Fields are read in document order so the first error reported is the first one a reader would see.
        let vehicleID = try fields.vehicleID("vehicle_id")
        let sequence = try fields.uint64("seq")
        let deviceTime = try fields.int64("device_time_ms")
        let position = try fields.object("position")
        self.init(
            vehicleID: vehicleID,
            sequence: sequence,
            deviceTimeMillis: deviceTime,
            position: Position(
                latitude: try position.double("lat"),
                longitude: try position.double("lon"),
                accuracyMeters: try position.optionalDouble("accuracy_m")),
            speedMetersPerSecond: try fields.double("speed_mps"),
            headingDegrees: try fields.double("heading_deg"),
            odometerMeters: try fields.double("odometer_m"),
            batteryPercent: try fields.optionalDouble("battery_pct"),
            fuelPercent: try fields.optionalDouble("fuel_pct"),
            engineTemperatureCelsius: try fields.optionalDouble("engine_temp_c"),
            rpm: try fields.optionalDouble("rpm"),
            status: try fields.enumeration("status", VehicleStatus.self),
            faultCodes: try fields.stringArray("fault_codes", maxCount: FleetLimits.maxFaultCodes),
            host: try fields.optionalObject("host").map { (host) throws(WireError) in
                HostMetrics(
                    cpuPercent: try host.double("cpu_pct"),
                    memoryPercent: try host.double("mem_pct"),
                    diskPercent: try host.double("disk_pct"),
                    networkRxBytesPerSecond: try host.uint64("net_rx_bps"),
                    networkTxBytesPerSecond: try host.uint64("net_tx_bps"))
            },
            diagnostics: try fields.optionalObject("diagnostics").map { (object) throws(WireError) in
                Diagnostics(
                    engineCycle: try object.optionalUInt64("engine_cycle"),
                    engineSensors: try object.optionalDoubleArray("engine_sensors", maxCount: FleetLimits.maxEngineSensors) ?? [],
                    batteryCycle: try object.optionalUInt64("battery_cycle"),
                    batteryCapacityAh: try object.optionalDouble("battery_capacity_ah"),
                    batteryRatedAh: try object.optionalDouble("battery_rated_ah"))
            },
            route: try fields.optionalObject("route").map { (object) throws(WireError) in try RouteProgress(json: object) })
    }

    func writeBinary(to writer: inout BinaryWriter) {
        var presence: UInt8 = 0
        if position.accuracyMeters != nil { presence |= Presence.accuracy }
        if batteryPercent != nil { presence |= Presence.battery }
        if fuelPercent != nil { presence |= Presence.fuel }
        if engineTemperatureCelsius != nil { presence |= Presence.engineTemperature }
        if rpm != nil { presence |= Presence.rpm }
        if host != nil { presence |= Presence.host }
        if diagnostics != nil { presence |= Presence.diagnostics }
        if route != nil { presence |= Presence.route }
        writer.u8(presence)
        writer.string(vehicleID.rawValue)
        writer.varint(sequence)
        writer.timestamp(deviceTimeMillis)
        writer.coordinate(position.latitude)
        writer.coordinate(position.longitude)
        if let accuracy = position.accuracyMeters { writer.f32(accuracy) }
        writer.f32(speedMetersPerSecond)
        writer.heading(headingDegrees)
        writer.f64(odometerMeters)
        if let batteryPercent { writer.f32(batteryPercent) }
        if let fuelPercent { writer.f32(fuelPercent) }
        if let engineTemperatureCelsius { writer.f32(engineTemperatureCelsius) }
        if let rpm { writer.f32(rpm) }
        writer.u8(status.wireCode)
        writer.varint(UInt64(faultCodes.count))
        for code in faultCodes { writer.string(code) }
        if let host {
            writer.f32(host.cpuPercent)
            writer.f32(host.memoryPercent)
            writer.f32(host.diskPercent)
            writer.varint(host.networkRxBytesPerSecond)
            writer.varint(host.networkTxBytesPerSecond)
        }
        if let diagnostics {
            var fields: UInt8 = 0
            if diagnostics.engineCycle != nil { fields |= DiagnosticsPresence.engineCycle }
            if diagnostics.batteryCycle != nil { fields |= DiagnosticsPresence.batteryCycle }
            if diagnostics.batteryCapacityAh != nil { fields |= DiagnosticsPresence.batteryCapacity }
            if diagnostics.batteryRatedAh != nil { fields |= DiagnosticsPresence.batteryRated }
            writer.u8(fields)
            if let cycle = diagnostics.engineCycle { writer.varint(cycle) }
            writer.varint(UInt64(diagnostics.engineSensors.count))
            for value in diagnostics.engineSensors { writer.f64(value) }
            if let cycle = diagnostics.batteryCycle { writer.varint(cycle) }
            if let capacity = diagnostics.batteryCapacityAh { writer.f64(capacity) }
            if let rated = diagnostics.batteryRatedAh { writer.f64(rated) }
        }
        route?.writeBinary(to: &writer)
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let vehicleID = try reader.vehicleID("vehicle_id")
        let sequence = try reader.varint("seq")
        let deviceTime = try reader.timestamp("device_time_ms")
        let latitude = try reader.coordinate("position.lat")
        let longitude = try reader.coordinate("position.lon")
        let accuracy = try presence & Presence.accuracy != 0 ? reader.f32("position.accuracy_m") : nil
        let speed = try reader.f32("speed_mps")
        let heading = try reader.heading("heading_deg")
        let odometer = try reader.f64("odometer_m")
        let battery = try presence & Presence.battery != 0 ? reader.f32("battery_pct") : nil
        let fuel = try presence & Presence.fuel != 0 ? reader.f32("fuel_pct") : nil
        let temperature = try presence & Presence.engineTemperature != 0 ? reader.f32("engine_temp_c") : nil
        let rpm = try presence & Presence.rpm != 0 ? reader.f32("rpm") : nil
        let status = try reader.code("status", VehicleStatus.init(wireCode:))
        let faultCount = try reader.count("fault_codes", max: FleetLimits.maxFaultCodes)
        var faultCodes: [String] = []
        faultCodes.reserveCapacity(faultCount)
        for index in 0..<faultCount {
            faultCodes.append(try reader.string("fault_codes[\(index)]", maxBytes: FleetLimits.faultCodeLength.upperBound))
        }
        var host: HostMetrics?
        if presence & Presence.host != 0 {
            host = HostMetrics(
                cpuPercent: try reader.f32("host.cpu_pct"),
                memoryPercent: try reader.f32("host.mem_pct"),
                diskPercent: try reader.f32("host.disk_pct"),
                networkRxBytesPerSecond: try reader.varint("host.net_rx_bps"),
                networkTxBytesPerSecond: try reader.varint("host.net_tx_bps"))
        }
        var diagnostics: Diagnostics?
        if presence & Presence.diagnostics != 0 {
            let fields = try reader.presence(allowed: DiagnosticsPresence.all)
            let engineCycle = try fields & DiagnosticsPresence.engineCycle != 0 ? reader.varint("diagnostics.engine_cycle") : nil
            let count = try reader.count("diagnostics.engine_sensors", max: FleetLimits.maxEngineSensors)
            var sensors: [Double] = []
            sensors.reserveCapacity(count)
            for index in 0..<count { sensors.append(try reader.f64("diagnostics.engine_sensors[\(index)]")) }
            diagnostics = Diagnostics(
                engineCycle: engineCycle, engineSensors: sensors,
                batteryCycle: try fields & DiagnosticsPresence.batteryCycle != 0 ? reader.varint("diagnostics.battery_cycle") : nil,
                batteryCapacityAh: try fields & DiagnosticsPresence.batteryCapacity != 0 ? reader.f64("diagnostics.battery_capacity_ah") : nil,
                batteryRatedAh: try fields & DiagnosticsPresence.batteryRated != 0 ? reader.f64("diagnostics.battery_rated_ah") : nil)
        }
        let route = try presence & Presence.route != 0 ? RouteProgress(binary: &reader) : nil
        self.init(
            vehicleID: vehicleID, sequence: sequence, deviceTimeMillis: deviceTime,
            position: Position(latitude: latitude, longitude: longitude, accuracyMeters: accuracy),
            speedMetersPerSecond: speed, headingDegrees: heading, odometerMeters: odometer,
            batteryPercent: battery, fuelPercent: fuel, engineTemperatureCelsius: temperature, rpm: rpm,
            status: status, faultCodes: faultCodes, host: host, diagnostics: diagnostics, route: route)
    }
}
