//! What a form engine delivered, read the same way for every sender: the normalised view of the
//! form data (labels, typed values, nested groups) and the applicant found in it. Pure: the
//! original bytes stay untouched in the blob store, this only reads the parsed tree.
//!
//! Shapes understood (docs/intake.md):
//! - the OZG-Cloud `formData` tree: items `{name, label, <type>Value, formItems}` as form engines
//!   build it for an OZG-Cloud destination;
//! - a native JSON object (`POST /v1/submissions`): its keys are the labels.

mod applicant;
#[cfg(test)]
mod proptests;
mod view;

pub use applicant::{
    ApplicantFields, NOT_RECOGNISED, ServiceAccount, applicant_email, recognise_applicant,
};
pub use view::{FieldValue, FormField, FormShape, FormView, normalise};
