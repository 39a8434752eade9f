//! `S3BlobStore`: checksummed blobs in S3. The SHA-256 travels as object metadata and every read
//! is verified against the expected checksum.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::create_bucket::CreateBucketError;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use fallwerk_core::ports::{
    BlobMeta, BlobReader, BlobStore, PresignedUpload, StoreError, StoreResult, sha256_hex,
    verify_chunks,
};

use crate::error::backend;

/// Object metadata key of the checksum (`x-amz-meta-sha256`).
pub const SHA256_METADATA: &str = "sha256";

/// An S3 client for `config`. With an endpoint override (moto, LocalStack) it addresses buckets
/// path-style and computes checksums only where S3 requires them, as emulators expect.
pub fn s3_client(config: &aws_config::SdkConfig) -> Client {
    let emulated =
        config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    let mut conf = aws_sdk_s3::config::Builder::from(config);
    if emulated {
        conf = conf
            .force_path_style(true)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
    }
    Client::from_conf(conf.build())
}

/// Blobs under `{prefix}{key}` in one bucket.
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3BlobStore {
    pub fn new(client: Client, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        S3BlobStore {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
        }
    }

    fn object_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The stored object of `key`; [`StoreError::NotFound`] if there is none.
    async fn get_object(&self, key: &str) -> StoreResult<GetObjectOutput> {
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .send()
            .await
        {
            Ok(resp) => Ok(resp),
            Err(SdkError::ServiceError(ctx))
                if matches!(ctx.err(), GetObjectError::NoSuchKey(_)) =>
            {
                Err(StoreError::NotFound(format!("blob {key}")))
            }
            Err(e) => Err(backend(e)),
        }
    }

    /// Creates the bucket in the client's region (tests and local setups; idempotent).
    pub async fn create_bucket(client: &Client, bucket: &str) -> StoreResult<()> {
        let mut req = client.create_bucket().bucket(bucket);
        if let Some(region) = client.config().region().map(|r| r.as_ref().to_string())
            && region != "us-east-1"
        {
            req = req.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region.as_str()))
                    .build(),
            );
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(ctx))
                if matches!(ctx.err(), CreateBucketError::BucketAlreadyOwnedByYou(_)) =>
            {
                Ok(())
            }
            Err(e) => Err(backend(e)),
        }
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put_blob(&self, key: &str, bytes: &[u8]) -> StoreResult<BlobMeta> {
        let sha256 = sha256_hex(bytes);
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .metadata(SHA256_METADATA, &sha256)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map_err(backend)?;
        Ok(BlobMeta {
            key: key.to_string(),
            sha256,
            size: bytes.len() as u64,
        })
    }

    async fn get_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<Vec<u8>> {
        let resp = self.get_object(key).await?;
        let recorded = resp
            .metadata()
            .and_then(|m| m.get(SHA256_METADATA))
            .cloned();
        let bytes = resp
            .body
            .collect()
            .await
            .map_err(backend)?
            .into_bytes()
            .to_vec();
        let actual = sha256_hex(&bytes);
        if actual != expected_sha256 || recorded.is_some_and(|r| r != actual) {
            return Err(StoreError::Corrupt(key.to_string()));
        }
        Ok(bytes)
    }

    async fn open_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<BlobReader> {
        let resp = self.get_object(key).await?;
        // The recorded checksum is known before the first byte: refuse a mismatch up front.
        if resp
            .metadata()
            .and_then(|m| m.get(SHA256_METADATA))
            .is_some_and(|r| !r.eq_ignore_ascii_case(expected_sha256))
        {
            return Err(StoreError::Corrupt(key.to_string()));
        }
        let size = resp
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| StoreError::Backend(format!("blob {key} has no length")))?;
        let chunks = futures_util::stream::unfold(Some(resp.body), |body| async move {
            let mut body = body?;
            match body.next().await {
                None => None,
                Some(Ok(bytes)) => Some((Ok(bytes.to_vec()), Some(body))),
                Some(Err(e)) => Some((Err(backend(e)), None)),
            }
        });
        Ok(BlobReader {
            size,
            chunks: verify_chunks(key, expected_sha256, chunks),
        })
    }

    async fn delete_blob(&self, key: &str) -> StoreResult<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// A presigned PUT that S3 accepts only with exactly `size` bytes (signed `Content-Length`)
    /// and that records the checksum as metadata like [`Self::put_blob`] does, so a read checks
    /// the upload like any other blob.
    async fn presign_put(
        &self,
        key: &str,
        size: u64,
        sha256: &str,
        valid_for: std::time::Duration,
    ) -> StoreResult<Option<PresignedUpload>> {
        let config = PresigningConfig::expires_in(valid_for).map_err(backend)?;
        let length = i64::try_from(size)
            .map_err(|_| StoreError::Backend(format!("upload size {size} out of range")))?;
        let req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .content_length(length)
            .metadata(SHA256_METADATA, sha256)
            .presigned(config)
            .await
            .map_err(backend)?;
        Ok(Some(PresignedUpload {
            url: req.uri().to_string(),
            headers: req
                .headers()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }))
    }
}
