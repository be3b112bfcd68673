import VerdictAPI

await SocketFunction.run(LiveDisconnect())
