import Shared

/// A clinic whose prescriptions are owned through a path: a prescription belongs to an
/// appointment, the appointment to a patient, and a patient sees only the prescriptions of their
/// own appointments (`appointment.patient`). Doctors may do everything.
enum ClinicFixture {
    typealias Field = GuidedForm.Field

    static let patient = GuidedForm.Entity(name: "patient", fields: [
        Field(name: "full_name", type: "string", required: true),
        Field(name: "date_of_birth", type: "date"),
    ])
    static let appointment = GuidedForm.Entity(name: "appointment", fields: [
        Field(name: "patient", type: "reference", required: true, references: "patient"),
        Field(name: "starts_at", type: "datetime", required: true),
        Field(name: "reason", type: "text"),
    ], ownerField: "patient")
    static let prescription = GuidedForm.Entity(name: "prescription", fields: [
        Field(name: "appointment", type: "reference", required: true, references: "appointment"),
        Field(name: "medication", type: "string", required: true),
        Field(name: "dosage", type: "string"),
    ], ownerField: "appointment.patient")

    /// A dose given under a prescription, owned three levels up (`prescription.appointment.patient`).
    static let dose = GuidedForm.Entity(name: "dose", fields: [
        Field(name: "prescription", type: "reference", required: true, references: "prescription"),
        Field(name: "given_at", type: "datetime", required: true),
    ], ownerField: "prescription.appointment.patient")

    /// The form: `patientActions` are what a patient may do with their own appointments,
    /// prescriptions (and doses, when `doses`); doctors may do everything, except creating those
    /// when `doctorsCreate` is false (then only patients, for themselves, create them);
    /// `prescriptionOwner` replaces the prescription's owner field.
    static func form(patientActions: [String] = ["read"], doses: Bool = false, doctorsCreate: Bool = true, prescriptionOwner: String? = "appointment.patient") -> GuidedForm {
        var prescription = prescription
        prescription.ownerField = prescriptionOwner
        let owned = ["appointment", "prescription"] + (doses ? ["dose"] : [])
        let all = ["create", "read", "update", "delete"]
        return GuidedForm(
            entities: [patient, appointment, prescription] + (doses ? [dose] : []),
            roles: [
                .init(name: "doctor", permissions: [.init(entity: "patient", actions: all, scope: "all")] + owned.map {
                    .init(entity: $0, actions: doctorsCreate ? all : ["read", "update", "delete"], scope: "all")
                }),
                .init(name: "patient", permissions: owned.map { .init(entity: $0, actions: patientActions, scope: "own") }),
            ]
        )
    }

    /// The architect's input for the form.
    static func input(_ form: GuidedForm = form()) -> ArchitectInput {
        ArchitectInput(title: "Clinic", description: "", mode: .guided, form: form)
    }
}
