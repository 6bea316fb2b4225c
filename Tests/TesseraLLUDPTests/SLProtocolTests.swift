import Testing
@testable import TesseraLLUDP

@Test func datagramLimitIsTheViewerMTU() {
    #expect(SLProtocol.maxDatagramBytes == 1500)
}
