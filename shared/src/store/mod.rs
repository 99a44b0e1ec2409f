//! Where output lands: an S3 bucket (under a prefix) or a local folder, behind one small API.
//!
//! Keys are relative to the root. Besides plain writes the store offers the two conditional
//! writes that manifests, checkpoints and leases rely on (create-only and compare-and-swap on
//! the ETag) and streamed uploads for parts too large to hold whole.

mod local;
mod s3;
mod state;

use aws_config::SdkConfig;
use bytes::Bytes;

pub use local::LocalStore;
pub use s3::S3Store;
pub use state::StateObject;

/// How a put treats an object that already exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutMode {
    Overwrite,
    /// Fails with [`StoreError::Conflict`] if the key exists (`If-None-Match: *`).
    CreateOnly,
    /// Fails with [`StoreError::Conflict`] unless the object still has this ETag (`If-Match`).
    ReplaceIfMatch(String),
}

/// An object read back, with the ETag to make a conditional replace against.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub body: Bytes,
    pub etag: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{key}: a concurrent writer got there first (precondition failed)")]
    Conflict { key: String },
    #[error("{key}: {detail}")]
    Io { key: String, detail: String },
    #[error("output root {0}")]
    BadRoot(String),
}

/// The output root: `s3://bucket/prefix` or a local folder.
pub enum ObjectStore {
    S3(S3Store),
    Local(LocalStore),
}

impl ObjectStore {
    /// Opens `root`. S3 settings (region, credentials, `AWS_ENDPOINT_URL`) come from `aws`, the
    /// process's one AWS configuration, so the same root works against real S3 and a local
    /// stand-in.
    pub fn open(root: &str, aws: &SdkConfig) -> Result<Self, StoreError> {
        match root.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(StoreError::BadRoot(format!(
                        "{root:?} names no bucket; expected s3://bucket/prefix"
                    )));
                }
                Ok(Self::S3(S3Store::new(aws, bucket, prefix)))
            }
            None => Ok(Self::Local(LocalStore::new(root)?)),
        }
    }

    pub async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<String, StoreError> {
        match self {
            Self::S3(s) => s.put(key, body, mode).await,
            Self::Local(l) => l.put(key, body, mode).await,
        }
    }

    /// The object at `key`, or `None` if there is none.
    pub async fn get(&self, key: &str) -> Result<Option<StoredObject>, StoreError> {
        match self {
            Self::S3(s) => s.get(key).await,
            Self::Local(l) => l.get(key).await,
        }
    }

    /// Copies the object at `key` to the file `to`, streamed (an object can be larger than
    /// memory). Returns false if there is no such object.
    pub async fn download(&self, key: &str, to: &std::path::Path) -> Result<bool, StoreError> {
        match self {
            Self::S3(s) => s.download(key, to).await,
            Self::Local(l) => l.download(key, to).await,
        }
    }

    /// The keys under `prefix` (a folder-like prefix ending in `/`), sorted.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = match self {
            Self::S3(s) => s.list(prefix).await?,
            Self::Local(l) => l.list(prefix).await?,
        };
        keys.sort();
        Ok(keys)
    }

    /// Starts a streamed upload to `key`; nothing is visible until [`Upload::complete`].
    pub async fn start_upload(&self, key: &str) -> Result<Upload, StoreError> {
        match self {
            Self::S3(s) => s.start_upload(key).await.map(Upload::S3),
            Self::Local(l) => l.start_upload(key).await.map(Upload::Local),
        }
    }

    /// A local folder: one machine's, where a process id means something.
    pub fn is_local(&self) -> bool {
        matches!(self, Self::Local(_))
    }

    /// The full location of `key`, for humans (`s3://bucket/prefix/key` or a path).
    pub fn location(&self, key: &str) -> String {
        match self {
            Self::S3(s) => s.location(key),
            Self::Local(l) => l.location(key),
        }
    }
}

/// A streamed upload in progress (S3 multipart, or a temporary file).
pub enum Upload {
    S3(s3::S3Upload),
    Local(local::LocalUpload),
}

impl Upload {
    /// Appends a chunk. On S3 every chunk but the last must be at least 5 MiB.
    pub async fn put_chunk(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        match self {
            Self::S3(u) => u.put_chunk(chunk).await,
            Self::Local(u) => u.put_chunk(chunk).await,
        }
    }

    pub async fn complete(self) -> Result<(), StoreError> {
        match self {
            Self::S3(u) => u.complete().await,
            Self::Local(u) => u.complete().await,
        }
    }

    pub async fn abort(self) {
        match self {
            Self::S3(u) => u.abort().await,
            Self::Local(u) => u.abort().await,
        }
    }
}
