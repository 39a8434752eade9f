//! Writing delivered documents to the blob store: in parallel, checked against what the sender
//! declared, and all or nothing.

use super::{App, AppError, IncomingDocument, names::sanitize_file_name};
use crate::model::AttachmentMeta;
use crate::ports::BlobMeta;

impl IncomingDocument {
    /// Refuses a document whose declared size does not match its bytes (before any write).
    pub(crate) fn check_size(&self, index: usize) -> Result<(), AppError> {
        match self.declared_size {
            Some(size) if size != self.bytes.len() as u64 => Err(AppError::invalid(
                format!("attachments[{index}].size"),
                "does not match the content",
            )),
            _ => Ok(()),
        }
    }

    /// Refuses a document whose declared checksum differs from the one the blob store computed
    /// while writing it: one pass over the bytes instead of two.
    fn check_sha256(&self, index: usize, stored: &BlobMeta) -> Result<(), AppError> {
        match &self.declared_sha256 {
            Some(declared) if !declared.eq_ignore_ascii_case(&stored.sha256) => {
                Err(AppError::invalid(
                    format!("attachments[{index}].sha256"),
                    "does not match the content",
                ))
            }
            _ => Ok(()),
        }
    }
}

impl App {
    /// Stores `documents` as attachments `first_n, first_n + 1, ...` of `case_id`. When one of
    /// them fails (its checksum, or the store), none of them stays behind.
    ///
    /// Every call writes under keys of its own (a fresh upload id), never under the number:
    /// two concurrent requests on one case may both start from the same number, and the one
    /// that loses the case's version-guarded write must not overwrite or remove the winner's
    /// bytes when it cleans up. The numbers are final only in that write (see `renumber`).
    pub(crate) async fn store_attachments(
        &self,
        case_id: &str,
        first_n: u32,
        documents: &[IncomingDocument],
    ) -> Result<Vec<AttachmentMeta>, AppError> {
        let upload = uuid::Uuid::new_v4().simple().to_string();
        let key = |i: usize| format!("cases/{case_id}/attachments/{upload}-{i}");
        let writes = documents.iter().enumerate().map(|(i, d)| async move {
            let key = key(i);
            let meta = self.blobs.put_blob(&key, &d.bytes).await?;
            d.check_sha256(i, &meta)?;
            Ok::<_, AppError>(AttachmentMeta {
                n: first_n + i as u32,
                name: sanitize_file_name(&d.name),
                media_type: d.media_type.clone(),
                size: meta.size,
                sha256: meta.sha256,
                key,
                source: d.source,
            })
        });
        let mut metas = Vec::with_capacity(documents.len());
        let mut failure = None;
        for written in futures_util::future::join_all(writes).await {
            match written {
                Ok(meta) => metas.push(meta),
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        match failure {
            Some(e) => {
                self.delete_blobs((0..documents.len()).map(key)).await;
                Err(e)
            }
            None => Ok(metas),
        }
    }

    /// Gives `metas` the numbers after the highest attachment number of `case` (as loaded for
    /// the version-guarded write that stores them).
    pub(crate) fn renumber(case: &crate::model::Case, metas: &mut [AttachmentMeta]) -> Vec<u32> {
        let first = case.attachments.iter().map(|a| a.n).max().unwrap_or(0) + 1;
        metas
            .iter_mut()
            .zip(first..)
            .map(|(m, n)| {
                m.n = n;
                n
            })
            .collect()
    }

    /// Removes blobs this attempt wrote and no case refers to (best effort: an orphan is only
    /// wasted space).
    pub(crate) async fn delete_blobs(&self, keys: impl IntoIterator<Item = String>) {
        for key in keys {
            let _ = self.blobs.delete_blob(&key).await;
        }
    }
}
