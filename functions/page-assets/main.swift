import VerdictPages

await APIFunction.run(ServeAsset())
