// A function's main.swift imports only VerdictAPI; the runtime entry points come with it.
@_exported import LambdaRuntime
@_exported import VerdictHTTP
