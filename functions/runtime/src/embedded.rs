//! The embedded backend: one data directory with the SQLite database (cases, queue), blobs,
//! the e-mail outbox (.eml files), export packages and the local JWT secret.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fallwerk_api::web::WebConfig;
use fallwerk_api::{ApiState, JwtConfig};
use fallwerk_core::app::{App, AppConfig, Clock};
use fallwerk_embedded::{DirectorySink, EmlMailer, FsBlobStore, SqliteQueue, SqliteStore};

use crate::{Settings, WiringError, random_secret};

/// Everything `fallwerk serve` runs on, opened from one data directory.
#[derive(Clone)]
pub struct Embedded {
    pub data_dir: PathBuf,
    pub settings: Settings,
    pub store: Arc<SqliteStore>,
    pub queue: Arc<SqliteQueue>,
    pub mailer: Arc<EmlMailer>,
    pub exports: Arc<DirectorySink>,
    pub app: App,
    jwt_secret: String,
    session_secret: String,
    export_root: PathBuf,
}

fn dir_error(path: &Path, e: impl std::fmt::Display) -> WiringError {
    WiringError::DataDir {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

impl Embedded {
    /// Opens (or creates) the data directory; the database schema migrates on open.
    pub fn open(
        data_dir: &Path,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Embedded, WiringError> {
        std::fs::create_dir_all(data_dir).map_err(|e| dir_error(data_dir, e))?;
        // The queue is in the same database: case changes put their messages on it directly.
        let store =
            Arc::new(SqliteStore::open(data_dir.join("fallwerk.db"))?.with_outbox_into_queue());
        let blobs = Arc::new(FsBlobStore::open(data_dir.join("blobs"))?);
        let queue_clock = clock.clone();
        let queue = Arc::new(
            SqliteQueue::new(&store)
                .with_max_receives(settings.max_receives)
                .with_clock(Arc::new(move || queue_clock.now())),
        );
        let outbox = Self::outbox_dir_of(data_dir);
        let mailer = Arc::new(EmlMailer::open(&outbox).map_err(|e| dir_error(&outbox, e))?);
        let jwt_secret = Self::jwt_secret_in(data_dir)?;
        let session_secret = Self::secret_in(data_dir, "session-secret")?;
        let export_root = match &settings.export_root {
            Some(root) => PathBuf::from(root),
            None => {
                let dir = data_dir.join("exports");
                std::path::absolute(&dir).map_err(|e| dir_error(&dir, e))?
            }
        };
        let config = AppConfig {
            reference_prefix: settings.reference_prefix.clone(),
            export_root: Some(export_root.display().to_string()),
            webhook_allow_http: settings.webhook_allow_http,
            // One SQLite row, no write units: inline up to the general limit is cheapest here.
            inline_form_limit: fallwerk_core::model::INLINE_FORM_LIMIT,
        };
        let app = App::new(store.clone(), blobs, clock, config).with_queue(queue.clone());
        Ok(Embedded {
            data_dir: data_dir.to_path_buf(),
            settings,
            store,
            queue,
            mailer,
            exports: Arc::new(DirectorySink::confined_to(&export_root)),
            export_root,
            app,
            jwt_secret,
            session_secret,
        })
    }

    pub fn outbox_dir_of(data_dir: &Path) -> PathBuf {
        data_dir.join("outbox")
    }

    pub fn outbox_dir(&self) -> PathBuf {
        Self::outbox_dir_of(&self.data_dir)
    }

    /// The export root (absolute): directory targets lie under it; the demo service exports here.
    pub fn exports_dir(&self) -> PathBuf {
        self.export_root.clone()
    }

    /// The local HS256 secret for caseworker tokens, created on first use (mode 0600).
    fn jwt_secret_in(data_dir: &Path) -> Result<String, WiringError> {
        Self::secret_in(data_dir, "jwt-secret")
    }

    /// A secret kept in the data directory (`jwt-secret`, `session-secret`), created on first
    /// use (mode 0600).
    fn secret_in(data_dir: &Path, name: &str) -> Result<String, WiringError> {
        let path = data_dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= 32 => Ok(s.trim().to_string()),
            Ok(_) => Err(dir_error(&path, "the secret is shorter than 32 characters")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let secret = random_secret();
                write_private(&path, &secret).map_err(|e| dir_error(&path, e))?;
                Ok(secret)
            }
            Err(e) => Err(dir_error(&path, e)),
        }
    }

    pub fn jwt_secret(&self) -> &str {
        &self.jwt_secret
    }

    /// The queue workers' context: `.eml` outbox, export to directories and webhooks.
    pub fn worker_ctx(&self) -> Result<fallwerk_workers::WorkerCtx, WiringError> {
        use fallwerk_workers::webhook::WebhookSink;
        let webhook = WebhookSink::new(WebhookSink::secrets_from_env(), self.settings.webhook())
            .map_err(|e| WiringError::Worker(e.to_string()))?;
        Ok(fallwerk_workers::WorkerCtx {
            app: self.app.clone(),
            mailer: self.mailer.clone(),
            sinks: fallwerk_workers::ExportSinks::new(vec![
                self.exports.clone(),
                Arc::new(webhook),
            ]),
            settings: self.settings.workers(),
        })
    }

    /// The HTTP state: the use cases with HS256 caseworker tokens and the web workplace
    /// (sessions signed with the data directory's `session-secret`).
    pub fn api_state(&self) -> ApiState {
        ApiState::new(self.app.clone())
            .with_jwt(
                JwtConfig::hs256(self.jwt_secret.clone())
                    .with_users(self.settings.user_source())
                    .with_max_lifetime(self.settings.jwt_max_lifetime_hours * 3600),
            )
            .with_web(WebConfig::new(
                self.session_secret.clone(),
                &self.settings.caseworker_url,
            ))
    }
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}
