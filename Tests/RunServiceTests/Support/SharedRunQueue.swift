import Testing

/// Every suite that uses the run queue (one table for all tenants and all run-service
/// instances): they run one after another, so one suite's workers never claim another's runs
/// and emptying the queue never removes another suite's runs.
@Suite(.serialized) enum SharedRunQueue {}
