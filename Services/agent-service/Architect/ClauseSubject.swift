/// What a clause's subject turned out to be.
enum ClauseSubject: Sendable, Equatable {
    /// The application or whoever asks for it: the object lists entities.
    case application
    /// One or more entities.
    case entities([String])
    /// One or more roles.
    case roles([String])
    /// "Roles: …".
    case roleList
    /// "Entities: …".
    case entityList
    /// Nothing usable.
    case ignored
}
