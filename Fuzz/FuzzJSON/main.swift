// libFuzzer entry point for the JSON decoder. Build and run with scripts/fuzz.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.run(data, size, format: .json)
    return 0
}
