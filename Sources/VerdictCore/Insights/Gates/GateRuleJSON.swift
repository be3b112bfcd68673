import VerdictInsights
import VerdictJSON

/// Rules as the API and the `quality_gates.rules` column write them: `{"type", "params"}`.
extension GateRule {
    public var json: JSON {
        var params = JSONObject()
        switch self {
        case .requiredTests(let tests): params["tests"] = .array(tests.map { .string($0) })
        case .maxFlaky(let threshold, let percentOfTests):
            params["threshold"] = .double(threshold)
            params["unit"] = .string(percentOfTests ? "percent" : "count")
        default: params["threshold"] = threshold.map { .double($0) } ?? .null
        }
        return ["type": .string(type), "params": .object(params)]
    }

    /// A rule as a client sent it (or as it was stored); a problem names its field, below
    /// `field` (`rules[2].params.threshold`).
    public init(json: JSON, field: String) throws(ServiceError) {
        guard let object = json.objectValue else { throw .invalid(field: field, reason: "must be an object with a type and params") }
        for key in object.keys where key != "type" && key != "params" {
            throw .invalid(field: "\(field).\(key)", reason: "is not a field of a rule (type, params)")
        }
        guard let type = object["type"]?.stringValue else { throw .invalid(field: "\(field).type", reason: "is required") }
        let params = object["params"] ?? .object(JSONObject())
        guard let paramsObject = params.objectValue else { throw .invalid(field: "\(field).params", reason: "must be an object") }
        for key in paramsObject.keys where !["threshold", "unit", "tests"].contains(key) {
            throw .invalid(field: "\(field).params.\(key)", reason: "is not a param of a rule (threshold, unit, tests)")
        }
        var threshold: Double?
        if let value = paramsObject["threshold"], !value.isNull {
            guard let number = value.doubleValue else { throw .invalid(field: "\(field).params.threshold", reason: "must be a number") }
            threshold = number
        }
        var unit: String?
        if let value = paramsObject["unit"], !value.isNull {
            guard let text = value.stringValue else { throw .invalid(field: "\(field).params.unit", reason: "must be count or percent") }
            unit = text
        }
        var tests: [String]?
        if let value = paramsObject["tests"], !value.isNull {
            guard let list = value.arrayValue, case let strings = list.compactMap(\.stringValue), strings.count == list.count else {
                throw .invalid(field: "\(field).params.tests", reason: "must be an array of test ids or full titles")
            }
            tests = strings
        }
        do {
            self = try GateRule(type: type, threshold: threshold, unit: unit, tests: tests)
        } catch {
            throw .invalid(field: "\(field).\(error.field)", reason: error.reason)
        }
    }
}
