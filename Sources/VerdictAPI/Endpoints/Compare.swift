import VerdictCore
import VerdictHTTP
import VerdictJSON

/// `GET /api/v1/runs/compare?head=&base=`: what changed from base to head, test by test.
public struct CompareRuns: Endpoint {
    public typealias Access = Reader

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        guard let head = try request.idQuery("head", as: RunID.self) else {
            throw APIError.invalidParameter("head", "is required: the id of the run to compare")
        }
        let options = try CompareOptions.parse(
            minIncreasePercent: request.nonEmptyQuery("min_increase_pct"),
            minIncreaseMilliseconds: request.nonEmptyQuery("min_increase_ms"), limit: request.nonEmptyQuery("limit"))
        let comparison = try RunCompare(db: try context.database()).compare(
            head: head, base: try request.idQuery("base"), options: options, as: context.access)
        return .json(comparison.json)
    }
}

extension RunComparison {
    /// `{"base","head","base_selection","options","summary",<one list per category>,
    /// "new_clusters"}`.
    var json: JSON {
        var object =
            ([
                "base": base.json, "head": head.json, "base_selection": .string(baseSelection.rawValue),
                "options": [
                    "min_increase_pct": JSON(options.minIncreasePercent), "min_increase_ms": JSON(options.minIncreaseMilliseconds),
                    "limit": JSON(options.limit),
                ],
            ] as JSON).objectValue!
        var summary = JSONObject()
        for changes in categories {
            summary[changes.category.rawValue] = JSON(changes.total)
            object[changes.category.rawValue] = .array(changes.tests.map(\.json))
        }
        summary["new_clusters"] = JSON(newClustersTotal)
        object["new_clusters"] = .array(newClusters.map(\.json))
        object["summary"] = .object(summary)
        return .object(object)
    }
}

extension TestChange {
    var json: JSON {
        var object =
            ([
                "test_id": .string(testID.text), "full_title": .string(fullTitle),
                "base_status": JSON(base?.status.rawValue), "head_status": JSON(head?.status.rawValue),
                "base_duration_ms": JSON(base?.durationMilliseconds), "head_duration_ms": JSON(head?.durationMilliseconds),
                "base_case_id": JSON(base?.caseID.text), "head_case_id": JSON(head?.caseID.text),
                "base_results": JSON(base?.results), "head_results": JSON(head?.results),
            ] as JSON).objectValue!
        if let reference {
            object["reference"] = .string(reference.source.rawValue)
            object["reference_duration_ms"] = JSON(reference.durationMilliseconds)
            object["reference_samples"] = JSON(reference.samples)
            object["increase_ms"] = JSON(reference.increaseMilliseconds)
            object["increase_pct"] = JSON(reference.increasePercent)
        }
        return .object(object)
    }
}
