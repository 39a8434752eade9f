//! `ExportSinks`: routes a package to the sink that serves the target's kind. Each sink answers
//! `ExportError::Unsupported` for kinds it does not serve; the router tries the next one.

use std::sync::Arc;

use async_trait::async_trait;
use fallwerk_core::ports::{ExportError, ExportPackage, ExportReceipt, ExportSink};
use fallwerk_events::ExportTarget;

/// The configured export sinks, tried in order.
#[derive(Clone, Default)]
pub struct ExportSinks {
    sinks: Vec<Arc<dyn ExportSink>>,
}

impl ExportSinks {
    pub fn new(sinks: Vec<Arc<dyn ExportSink>>) -> Self {
        ExportSinks { sinks }
    }

    /// Adds a sink after the existing ones.
    pub fn with(mut self, sink: Arc<dyn ExportSink>) -> Self {
        self.sinks.push(sink);
        self
    }

    pub fn len(&self) -> usize {
        self.sinks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

/// The target kind as written in `ExportTarget`'s `kind` tag.
pub fn target_kind(target: &ExportTarget) -> &'static str {
    match target {
        ExportTarget::S3 { .. } => "s3",
        ExportTarget::Webhook { .. } => "webhook",
        ExportTarget::Directory { .. } => "directory",
    }
}

#[async_trait]
impl ExportSink for ExportSinks {
    async fn deliver(
        &self,
        target: &ExportTarget,
        package: &ExportPackage,
    ) -> Result<ExportReceipt, ExportError> {
        for sink in &self.sinks {
            match sink.deliver(target, package).await {
                Err(ExportError::Unsupported(_)) => continue,
                other => return other,
            }
        }
        Err(ExportError::Unsupported(target_kind(target).into()))
    }
}
