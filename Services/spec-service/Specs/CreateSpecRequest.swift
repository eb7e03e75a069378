import Foundation
import Shared

/// The body of `POST /specs`, validated field by field.
struct CreateSpecRequest: Codable, Sendable {
    var title: String
    var description: String?
    var mode: String
    var form: GuidedForm?
    var acceptanceCriteria: [String]?
    var targetRepository: String?

    enum CodingKeys: String, CodingKey {
        case title, description, mode, form
        case acceptanceCriteria = "acceptance_criteria"
        case targetRepository = "target_repository"
    }

    /// Limits on free text.
    static let maxTitleLength = 200
    static let maxDescriptionLength = 20_000

    /// The keys a body may carry, the form's included.
    static let shape: JSONShape = .object([
        "title": .scalar, "description": .scalar, "mode": .scalar, "form": GuidedForm.shape,
        "acceptance_criteria": .array(.scalar), "target_repository": .scalar,
    ])

    /// Decodes strictly (unknown fields at any level and control characters are refused) and validates.
    static func parse(_ data: Data) throws -> (request: CreateSpecRequest, input: ArchitectInput, raw: JSONValue) {
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        let request = try WireJSONDecoder.decode(CreateSpecRequest.self, from: data)
        return (request, try request.validated(), raw)
    }

    /// The request as the architect's input, or INVALID_ARGUMENT naming the offending field.
    func validated() throws -> ArchitectInput {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw WireError.invalidArgument(field: "title", "must not be empty") }
        guard title.count <= Self.maxTitleLength else { throw WireError.invalidArgument(field: "title", "must be at most \(Self.maxTitleLength) characters") }
        guard let mode = ArchitectInput.Mode(rawValue: mode) else {
            throw WireError.invalidArgument(field: "mode", "must be 'freeform' or 'guided'")
        }
        let description = (description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard description.count <= Self.maxDescriptionLength else {
            throw WireError.invalidArgument(field: "description", "must be at most \(Self.maxDescriptionLength) characters")
        }
        switch mode {
        case .freeform:
            guard !description.isEmpty else { throw WireError.invalidArgument(field: "description", "is required in freeform mode") }
            guard form == nil else { throw WireError.invalidArgument(field: "form", "is only allowed in guided mode") }
        case .guided:
            guard let form else { throw WireError.invalidArgument(field: "form", "is required in guided mode") }
            try GuidedFormValidator.validate(form)
        }
        let criteria = acceptanceCriteria ?? []
        guard criteria.count <= 50 else { throw WireError.invalidArgument(field: "acceptance_criteria", "must have at most 50 items") }
        for (index, criterion) in criteria.enumerated() {
            let text = criterion.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= 1000 else {
                throw WireError.invalidArgument(field: "acceptance_criteria[\(index)]", "must be 1-1000 characters")
            }
        }
        if let targetRepository { try TargetRepository.validate(targetRepository) }
        return ArchitectInput(title: title, description: description, mode: mode, form: form, acceptanceCriteria: criteria.isEmpty ? nil : criteria)
    }
}
