/// One clause of a description: a subject, a verb (marker) and what follows it.
///
/// "Each contact has a name, email and phone and belongs to a company" makes two clauses:
/// (contact, has, "a name, email and phone") and (continuation, belongs to, "a company").
struct Clause: Sendable {
    /// The subject's words, determiners and modals removed; empty when the clause continues the
    /// previous clause's subject.
    var subject: [String]
    /// Further subjects joined to this one at the start of the sentence ("admins and managers").
    var coSubjects: [[String]]
    /// The verb.
    var marker: ClauseMarker
    /// Whether the verb was negated ("cannot", "do not").
    var negated: Bool
    /// Whether "only" stood before the verb ("students can only view courses").
    var restrictive: Bool
    /// The tokens after the verb, up to the next clause.
    var object: [DescriptionToken]
    /// The sentence the clause belongs to.
    var sentence: Int
    /// Where the clause's subject (or verb) starts in the description.
    var position: Int
    /// Whether the clause is the first of its sentence.
    var startsSentence: Bool
    /// Whether the subject was taken from the noun before "which"/"that"/"who"/"with".
    var isRelative: Bool
    /// Whether the subject was taken from the start of the sentence, past an unknown verb
    /// ("events happen at a venue and have a name").
    var isLeading: Bool

    /// Every subject: the co-subjects first, then the subject.
    var allSubjects: [[String]] {
        subject.isEmpty ? [] : coSubjects + [subject]
    }
}
