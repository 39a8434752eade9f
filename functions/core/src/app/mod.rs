//! Application services: the use cases of fallwerk, written once against the ports. Handlers
//! (HTTP, queue consumers, the scheduler) parse input, call one of these, and map the result.

mod admin;
mod casework;
mod clock;
mod error;
mod intake;
mod names;
mod portal;
mod system;

use std::sync::Arc;

pub use admin::validate_directory_id;
pub use casework::CaseView;
pub use clock::{Clock, ManualClock, SystemClock, new_case_id};
pub use error::AppError;
pub use intake::{IncomingDocument, Submission, SubmitOutcome};
pub use names::sanitize_file_name;
pub use portal::ApplicantStatus;

use crate::ports::{BlobStore, Store};

/// Settings of one installation.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Prefix of case references, e.g. "MV" for `MV-2026-000123`.
    pub reference_prefix: String,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            reference_prefix: "MV".into(),
        }
    }
}

/// The use cases, over one store, one blob store and one clock.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub clock: Arc<dyn Clock>,
    pub config: AppConfig,
}

impl App {
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        config: AppConfig,
    ) -> Self {
        App {
            store,
            blobs,
            clock,
            config,
        }
    }
}
