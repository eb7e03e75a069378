/// The two database roles of one run's preview, named after the 16 hex digits that end its schema
/// name: `pv_<key>_owner` owns the schema and runs the generated app's migrations; `pv_<key>_app`
/// is what the app connects as, with only what the migrations grant it. The preview database's
/// `meta_preview` functions (compose/preview-roles.sql) are the only way to make or drop them.
struct PreviewRoles: Sendable, Equatable {
    /// The 16 lowercase hex digits.
    let key: String

    /// The roles of a preview schema (`preview_…_<16 hex digits>`), nil for any other name.
    init?(schema: String) {
        guard let last = schema.split(separator: "_").last, last.count == 16,
              last.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        key = String(last)
    }

    /// The schema's owner.
    var owner: String { "pv_\(key)_owner" }
    /// The generated app's role.
    var app: String { "pv_\(key)_app" }
}
