// The request and response models live in HTTPContract, shared with the emulator; handlers keep
// seeing them through `import VerdictHTTP` alone.
@_exported import HTTPContract
