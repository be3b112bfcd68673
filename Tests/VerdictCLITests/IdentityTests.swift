import XCTest

@testable import VerdictCLIKit

final class IdentityTests: XCTestCase {
    let noGit: ([String]) -> String? = { _ in nil }

    func testGitHubActionsPullRequest() throws {
        let env = Environment([
            "GITHUB_REPOSITORY": "acme/shop", "GITHUB_SHA": "3f2a9c1d0e", "GITHUB_REF_NAME": "123/merge", "GITHUB_HEAD_REF": "feature/x",
            "GITHUB_RUN_ID": "9876", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_WORKFLOW": "CI", "GITHUB_JOB": "e2e",
        ])
        let identity = try IdentityResolver.resolve(IdentityFlags(), environment: env, git: noGit)
        XCTAssertEqual(
            identity,
            RunIdentity(
                project: "acme/shop", commit: "3f2a9c1d0e", branch: "feature/x", ciRunID: "9876", ciRunAttempt: "2", name: "CI / e2e"))
    }

    func testGitHubActionsPushUsesTheRefNameAndAnEmptyHeadRefCountsAsUnset() throws {
        let env = Environment(["GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF_NAME": "main", "GITHUB_HEAD_REF": "", "GITHUB_WORKFLOW": "CI"])
        let identity = try IdentityResolver.resolve(IdentityFlags(), environment: env, git: noGit)
        XCTAssertEqual(identity.branch, "main")
        XCTAssertEqual(identity.name, "CI")
        XCTAssertNil(identity.ciRunAttempt)
    }

    func testGitLabParallelJobsShareOneName() throws {
        let env = Environment([
            "CI_PROJECT_PATH": "group/app", "CI_COMMIT_SHA": "ABCDEF0123456", "CI_COMMIT_REF_NAME": "main", "CI_PIPELINE_ID": "555",
            "CI_JOB_NAME": "rspec 3/8", "CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "8",
        ])
        let identity = try IdentityResolver.resolve(IdentityFlags(), environment: env, git: noGit)
        XCTAssertEqual(identity, RunIdentity(project: "group/app", commit: "ABCDEF0123456", branch: "main", ciRunID: "555", name: "rspec"))
        XCTAssertEqual(IdentityResolver.workerName(flag: nil, environment: env, host: "h", processID: 1), "node-3")
        XCTAssertEqual(try ShardSpec.resolve(flag: nil, environment: env), ShardSpec(name: "3", index: 3, total: 8))
        XCTAssertEqual(IdentityResolver.stripParallelSuffix("e2e: [chrome]"), "e2e: [chrome]")
        XCTAssertEqual(IdentityResolver.stripParallelSuffix("test 1/x"), "test 1/x")
    }

    func testFlagsBeatTheEnvironmentAndGitFillsTheGaps() throws {
        let env = Environment(["GITHUB_REPOSITORY": "acme/shop", "VERDICT_BRANCH": "from-env"])
        var asked: [[String]] = []
        let git: ([String]) -> String? = { arguments in
            asked.append(arguments)
            return arguments == ["rev-parse", "HEAD"] ? "0123456789abcdef0123456789abcdef01234567" : "HEAD"
        }
        let identity = try IdentityResolver.resolve(IdentityFlags(project: "flagged", name: "nightly"), environment: env, git: git)
        XCTAssertEqual(identity.project, "flagged")
        XCTAssertEqual(identity.commit, "0123456789abcdef0123456789abcdef01234567")
        XCTAssertEqual(identity.branch, "from-env")
        XCTAssertEqual(identity.name, "nightly")
        XCTAssertEqual(asked, [["rev-parse", "HEAD"]], "git is asked only for what nothing else said")

        let detached = try IdentityResolver.resolve(IdentityFlags(project: "p"), environment: Environment(), git: git)
        XCTAssertNil(detached.branch, "a detached HEAD has no branch")
    }

    func testInvalidValuesAreRefused() {
        XCTAssertThrowsError(try IdentityResolver.resolve(IdentityFlags(), environment: Environment(), git: noGit)) { error in
            XCTAssertTrue("\(error)".hasPrefix("no project"))
        }
        XCTAssertThrowsError(
            try IdentityResolver.resolve(IdentityFlags(project: "p", commit: "main"), environment: Environment(), git: noGit))
        XCTAssertThrowsError(
            try IdentityResolver.resolve(IdentityFlags(project: "p", ciRunAttempt: "0"), environment: Environment(), git: noGit))
        // A CI variable that is not a SHA is passed over, not an error.
        let identity = try? IdentityResolver.resolve(
            IdentityFlags(project: "p"), environment: Environment(["GITHUB_SHA": "xyz"]), git: noGit)
        XCTAssertNil(identity?.commit)
    }

    func testWorkerNamesAndShards() throws {
        XCTAssertEqual(
            IdentityResolver.workerName(flag: "w", environment: Environment(["VERDICT_WORKER": "e"]), host: "h", processID: 1), "w")
        XCTAssertEqual(
            IdentityResolver.workerName(flag: nil, environment: Environment(["VERDICT_WORKER": "e"]), host: "h", processID: 1), "e")
        XCTAssertEqual(IdentityResolver.workerName(flag: nil, environment: Environment(), host: "runner-7", processID: 42), "runner-7-42")
        XCTAssertEqual(try ShardSpec.parse("api"), ShardSpec(name: "api"))
        XCTAssertThrowsError(try ShardSpec.parse("9/8"))
        XCTAssertThrowsError(try ShardSpec.parse("0/8"))
        XCTAssertThrowsError(try ShardSpec.parse(""))
        XCTAssertNil(try ShardSpec.resolve(flag: nil, environment: Environment()))
    }

    func testAPIConfiguration() throws {
        let arguments = try ParsedArguments.parse(
            ["--url", "https://verdict.example/"], as: CommandSpec(name: "s", summary: "", usage: "", options: APIConfig.options))
        let config = try APIConfig.resolve(arguments, environment: Environment(["VERDICT_API_KEY": "vd_x", "VERDICT_RETRIES": "2"]))
        XCTAssertEqual(config, APIConfig(baseURL: "https://verdict.example", apiKey: "vd_x", retries: 2))
        XCTAssertEqual(config.runPage("r1"), "https://verdict.example/runs/r1")
        XCTAssertThrowsError(try APIConfig.resolve(ParsedArguments(), environment: Environment(["VERDICT_URL": "verdict.example"])))
    }
}
