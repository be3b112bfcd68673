import VerdictAPI

await SocketFunction.run(LiveConnect())
