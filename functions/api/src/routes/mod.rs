//! Route handlers, one module per audience. Each handler parses, authenticates, calls one use
//! case of the core `App` and maps the result.

pub mod admin;
pub mod antrag;
pub mod authority_documents;
pub mod casework;
pub mod documents;
pub mod form;
pub mod meta;
pub mod portal;
pub mod retrieval;
pub mod table;
pub mod thread;
pub mod uploads;
pub mod users;
