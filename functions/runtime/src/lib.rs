//! Wiring: turns settings into a running fallwerk — the store, blobs, queue, mailer and export
//! sinks of one backend, the core `App` over them and the HTTP state. Binaries (`fallwerk`, the
//! Lambda functions, the scheduler) call this and stay small.

#[cfg(feature = "aws")]
pub mod aws;
pub mod clock;
pub mod consumers;
pub mod demo;
pub mod embedded;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod logging;
pub mod oidc;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "aws")]
pub use aws::{Aws, AwsResources};
pub use embedded::Embedded;
pub use logging::{LogFormat, init_logging};
pub use settings::{Settings, SettingsError};

/// Why a backend could not be started.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("cannot open the data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] fallwerk_core::ports::StoreError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    App(#[from] fallwerk_core::app::AppError),
    #[error("cannot set up the queue workers: {0}")]
    Worker(String),
    /// `--backend aws` asked of a `fallwerk` built without its feature `aws`.
    #[error(
        "this fallwerk was built without the AWS backend; build it with `cargo build --release -p fallwerk --features aws`"
    )]
    AwsNotBuilt,
}

/// A random secret of 64 hex characters (portal client secrets, the local JWT secret).
pub fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
