import VerdictAPI

await SocketFunction.run(LiveMessage())
