import VerdictCore
import VerdictJSON

// The JSON shapes of the read endpoints, one per value type, so a run looks the same in a
// list and in its detail.

extension RunSummary {
    var json: JSON {
        [
            "id": .string(id.text), "project_id": .string(projectID.text), "project": .string(project), "commit": .string(commit),
            "branch": .string(branch),
            "ci_run_id": .string(ciRunID), "ci_run_attempt": JSON(ciRunAttempt), "name": .string(name), "status": .string(status.rawValue),
            "totals": totals.json, "total_reports_expected": JSON(totalReportsExpected), "reports_completed": JSON(reportsCompleted),
            "created_at": .string(createdAt), "started_at": JSON(startedAt), "duration_ms": JSON(durationMilliseconds),
            "last_activity_at": .string(lastActivityAt), "completed_at": JSON(completedAt), "orchestrated": .bool(orchestrated),
        ]
    }
}

extension StoredReportSummary {
    var json: JSON {
        [
            "id": .string(id.text), "shard": .string(shard), "format": JSON(format), "status": .string(status.rawValue),
            "tool": ["name": JSON(toolName), "version": JSON(toolVersion)], "totals": totals.json,
            "duration_ms": JSON(durationMilliseconds), "started_at": JSON(startedAt), "completed_at": JSON(completedAt),
            "warnings": JSON(warningCount), "run_errors": runErrors,
        ]
    }
}

extension SuiteSummary {
    var json: JSON {
        [
            "id": .string(id.text), "report_id": .string(reportID.text), "ordinal": JSON(ordinal), "name": .string(name),
            "path": JSON(path),
            "file": JSON(file), "duration_ms": JSON(durationMilliseconds), "timestamp": JSON(timestamp),
            "started_at": JSON(startedAt), "hostname": JSON(hostname), "totals": totals.json,
        ]
    }
}

extension CaseSummary {
    var json: JSON {
        [
            "id": .string(id.text), "test_id": .string(testID.text), "report_id": .string(reportID.text), "suite_id": JSON(suiteID?.text),
            "title": .string(title), "full_title": .string(fullTitle), "suite_path": JSON(suitePath), "file": JSON(file),
            "line": JSON(line), "project": JSON(project), "status": .string(status.rawValue), "raw_status": .string(rawStatus),
            "duration_ms": JSON(durationMilliseconds), "attempt_count": JSON(attemptCount), "error_message": JSON(errorMessage),
            "tags": JSON(tags),
        ]
    }
}

extension AttemptRecord {
    var json: JSON {
        [
            "attempt": JSON(attempt), "status": .string(status.rawValue), "duration_ms": JSON(durationMilliseconds),
            "started_at": JSON(startedAt), "errors": errors, "stdout": JSON(stdout), "stderr": JSON(stderr),
        ]
    }
}

extension AttachmentRecord {
    var json: JSON {
        [
            "id": .string(id.text), "name": .string(name), "kind": .string(kind), "content_type": JSON(contentType),
            "attempt": JSON(attempt), "path": JSON(path), "size": JSON(size),
            "url": isStored ? .string("/api/v1/attachments/\(id.text)") : .null,
        ]
    }
}

extension CaseDetail {
    var json: JSON {
        var object = summary.json.objectValue!
        object["run_id"] = .string(runID.text)
        object["suite"] = suite.map { ["id": .string($0.id.text), "name": .string($0.name), "path": JSON($0.path)] } ?? .null
        object["classname"] = JSON(classname)
        object["skip_reason"] = JSON(skipReason)
        object["annotations"] = annotations
        object["properties"] = properties
        object["created_at"] = .string(createdAt)
        object["attempts"] = .array(attempts.map(\.json))
        object["attachments"] = .array(attachments.map(\.json))
        return .object(object)
    }
}

extension TestDescription {
    var json: JSON {
        [
            "test_id": .string(testID.text), "title": .string(title), "full_title": .string(fullTitle), "file": JSON(file),
            "suite_path": JSON(suitePath), "project": JSON(project),
        ]
    }
}

extension TestResult {
    var json: JSON {
        [
            "case_id": .string(caseID.text), "run_id": .string(runID.text), "run_status": .string(runStatus.rawValue),
            "branch": .string(branch),
            "commit": .string(commit), "run_name": .string(runName), "status": .string(status.rawValue),
            "duration_ms": JSON(durationMilliseconds), "attempt_count": JSON(attemptCount), "created_at": .string(createdAt),
        ]
    }
}

extension Page {
    /// `{"items": […], "next_cursor": …}`, the shape of every list.
    func json(_ item: (Item) -> JSON) -> JSON {
        ["items": .array(items.map(item)), "next_cursor": JSON(nextCursor?.token)]
    }
}

extension FailedCase {
    var json: JSON {
        var object = summary.json.objectValue!
        object["error_type"] = JSON(errorType)
        object["stack"] = JSON(stack)
        object["stack_truncated"] = .bool(stackIsTruncated)
        object["attachments"] = .array(attachments.map(\.json))
        return .object(object)
    }
}
