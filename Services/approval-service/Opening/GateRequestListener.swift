import Logging
import Shared

/// Opens gates from `run.awaiting_approval` events (a `RedisSubscriber` hands it each message).
/// Messages are handled one at a time, each within 20 s. Failures are logged, not retried:
/// pub/sub is at-most-once, and the run-service asks again (`POST /internal/v1/gates`) for any
/// run that still waits without a gate.
struct GateRequestListener: Sendable {
    /// The channel the run-service publishes the event on.
    static let channel = CloudEvent.channel(for: "run.awaiting_approval")

    let opener: GateOpener
    /// Opens once the migrations ran; events wait for it.
    let migrated: StartupGate
    let logger: Logger

    /// Handles one message.
    func handle(_ message: RedisMessage) async {
        guard let event = try? CloudEvent.decode(message.payload), event.type == "run.awaiting_approval" else {
            logger.warning("ignoring a message that is not a run.awaiting_approval event", metadata: ["redis.channel": "\(message.channel)"])
            return
        }
        while !migrated.isOpen {
            guard (try? await Task.sleep(for: .milliseconds(50))) != nil else { return }
        }
        var metadata: Logger.Metadata = ["event.id": "\(event.id.lowercaseText)", "tenant.id": "\(event.tenantid ?? "")", "run.id": "\(event.data["run_id"]?.stringValue ?? "")"]
        do {
            guard let opening = try await opener.open(announcedBy: event) else {
                logger.debug("run.awaiting_approval handled already", metadata: metadata)
                return
            }
            metadata["gate.created"] = "\(opening.created)"
            logger.info("gate requested by event", metadata: metadata)
        } catch let error as WireError where [.failedPrecondition, .notFound].contains(error.code) {
            metadata["error"] = "\(error)"
            logger.info("no gate to open for the event", metadata: metadata)
        } catch {
            metadata["error"] = "\(error)"
            logger.warning("could not open the gate an event asked for; the run-service will ask again", metadata: metadata)
        }
    }
}
