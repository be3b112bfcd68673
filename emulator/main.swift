import Foundation
import NIOCore
import NIOPosix
import SAMTemplate
import VerdictJSON

let settings: EmulatorSettings
do {
    settings = try EmulatorSettings.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}

let template: Template
do {
    template = try Template.load(path: settings.resolve(settings.templatePath), parameters: settings.parameters)
} catch {
    FileHandle.standardError.write(Data("verdict-emulator: \(error)\n".utf8))
    exit(2)
}

if settings.command == .routes {
    for function in template.functions {
        for route in function.routes { print("\(route.routeKey)\t\(function.logicalID)") }
        for schedule in function.schedules { print("SCHEDULE \(schedule.expression)\t\(function.logicalID)") }
    }
    for api in template.webSocketAPIs {
        for (routeKey, function) in api.routes.sorted(by: { $0.key < $1.key }) { print("WEBSOCKET \(routeKey)\t\(function)") }
    }
    exit(0)
}

let emulator = Emulator(settings: settings, template: template)
emulator.installSignalHandlers()
do {
    if settings.runStartupFunctions || settings.command == .startup {
        try emulator.runStartupFunctions()
    }
    if settings.command == .startup {
        emulator.shutdown(exitCode: 0)
    }
    try emulator.serve()
} catch {
    Console.line("verdict-emulator: \(error)")
    emulator.shutdown(exitCode: 1)
}
