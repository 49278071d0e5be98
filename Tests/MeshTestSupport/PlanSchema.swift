// plan.json's JSON Schema (schema/plan.schema.json), checked by python's jsonschema through
// scripts/testing/check-plan-schema.py, the same check a pipeline or a pre-sync hook runs.
import Foundation
import Testing

/// The path of schema/plan.schema.json.
public let planSchemaPath = packageRoot.appendingPathComponent("schema/plan.schema.json").path

/// Runs scripts/testing/check-plan-schema.py on the plan.json files `plans`: status 0 when every
/// one is valid, 1 with a line per violation (`FILE: at /POINTER: MESSAGE`) otherwise. A python3
/// without jsonschema, or an invalid schema, is a test failure saying so, never a skipped check.
public func checkPlanSchema(_ plans: [String], schema: String = planSchemaPath,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
    let script = packageRoot.appendingPathComponent("scripts/testing/check-plan-schema.py").path
    let run = try runProcess("/usr/bin/env", ["python3", script, "--schema", schema] + plans, timeout: .seconds(120))
    try #require(!run.timedOut && !run.signaled, "check-plan-schema.py did not finish: \(run)", sourceLocation: sourceLocation)
    try #require(run.status != 3, "python3 cannot run the schema check: \(run.stderr)",
                 sourceLocation: sourceLocation)
    try #require(run.status == 0 || run.status == 1, "check-plan-schema.py failed: \(run)", sourceLocation: sourceLocation)
    return run
}
