// A page function's main.swift imports only VerdictPages; the runner comes with it.
@_exported import VerdictAPI
