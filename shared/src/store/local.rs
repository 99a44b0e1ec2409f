//! The local-folder implementation of the object store, for the command line and the demo.
//!
//! Writes go to a temporary file that is then renamed (or hard-linked, for create-only), so a
//! reader never sees half an object. Compare-and-swap is serialised within this process only:
//! the local store serves one CLI process; concurrent invocations need S3.

use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{SHA256, digest};
use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use super::{PutMode, StoreError, StoredObject};

pub struct LocalStore {
    root: PathBuf,
    /// Serialises check-then-replace so that two tasks cannot both win a compare-and-swap.
    swap: Mutex<()>,
}

fn etag_of(body: &[u8]) -> String {
    let d = digest(&SHA256, body);
    d.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl LocalStore {
    pub fn new(root: &str) -> Result<Self, StoreError> {
        if root.is_empty() {
            return Err(StoreError::BadRoot(
                "is empty; give a folder or s3://bucket/prefix".into(),
            ));
        }
        Ok(Self {
            root: PathBuf::from(root),
            swap: Mutex::new(()),
        })
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    pub fn location(&self, key: &str) -> String {
        self.path(key).display().to_string()
    }

    fn io(&self, key: &str, e: std::io::Error) -> StoreError {
        StoreError::Io {
            key: self.location(key),
            detail: e.to_string(),
        }
    }

    async fn temp_file(&self, key: &str) -> Result<(PathBuf, tokio::fs::File), StoreError> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| self.io(key, e))?;
        let tmp = dir.join(format!(
            ".{}.tmp-{:016x}",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("object"),
            fastrand::u64(..)
        ));
        let file = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| self.io(key, e))?;
        Ok((tmp, file))
    }

    pub async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<String, StoreError> {
        let etag = etag_of(&body);
        let (tmp, mut file) = self.temp_file(key).await?;
        let written = async {
            file.write_all(&body).await?;
            file.sync_all().await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(self.io(key, e));
        }
        let result = self.publish(key, &tmp, mode).await;
        let _ = tokio::fs::remove_file(&tmp).await;
        result.map(|()| etag)
    }

    /// Moves a finished temporary file to `key` according to `mode`.
    async fn publish(&self, key: &str, tmp: &Path, mode: PutMode) -> Result<(), StoreError> {
        let path = self.path(key);
        match mode {
            PutMode::Overwrite => tokio::fs::rename(tmp, &path)
                .await
                .map_err(|e| self.io(key, e)),
            // A hard link fails if the name exists: an atomic create-only, even across processes.
            PutMode::CreateOnly => match tokio::fs::hard_link(tmp, &path).await {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Err(StoreError::Conflict {
                        key: self.location(key),
                    })
                }
                other => other.map_err(|e| self.io(key, e)),
            },
            PutMode::ReplaceIfMatch(expected) => {
                let _guard = self.swap.lock().await;
                let current = self.get(key).await?;
                if current.map(|c| c.etag) != Some(expected) {
                    return Err(StoreError::Conflict {
                        key: self.location(key),
                    });
                }
                tokio::fs::rename(tmp, &path)
                    .await
                    .map_err(|e| self.io(key, e))
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<StoredObject>, StoreError> {
        match tokio::fs::read(self.path(key)).await {
            Ok(body) => Ok(Some(StoredObject {
                etag: etag_of(&body),
                body: Bytes::from(body),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(key, e)),
        }
    }

    pub async fn download(&self, key: &str, to: &Path) -> Result<bool, StoreError> {
        match tokio::fs::copy(self.path(key), to).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.io(key, e)),
        }
    }

    /// Walks the folder under `prefix`; temporary files of writes in progress are not keys.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut folders = vec![self.path(prefix)];
        while let Some(folder) = folders.pop() {
            let mut entries = match tokio::fs::read_dir(&folder).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(self.io(prefix, e)),
            };
            while let Some(entry) = entries.next_entry().await.map_err(|e| self.io(prefix, e))? {
                let path = entry.path();
                let file_type = entry.file_type().await.map_err(|e| self.io(prefix, e))?;
                if file_type.is_dir() {
                    folders.push(path);
                } else if !entry.file_name().to_string_lossy().starts_with('.')
                    && let Ok(relative) = path.strip_prefix(&self.root)
                {
                    keys.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        Ok(keys)
    }

    pub async fn start_upload(&self, key: &str) -> Result<LocalUpload, StoreError> {
        let (tmp, file) = self.temp_file(key).await?;
        Ok(LocalUpload {
            key: key.to_owned(),
            path: self.path(key),
            tmp,
            file,
        })
    }
}

/// A streamed write to a temporary file, renamed into place on completion.
pub struct LocalUpload {
    key: String,
    path: PathBuf,
    tmp: PathBuf,
    file: tokio::fs::File,
}

impl LocalUpload {
    fn io(&self, e: std::io::Error) -> StoreError {
        StoreError::Io {
            key: self.path.display().to_string(),
            detail: format!("{} ({e})", self.key),
        }
    }

    pub async fn put_chunk(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        self.file.write_all(&chunk).await.map_err(|e| self.io(e))
    }

    pub async fn complete(self) -> Result<(), StoreError> {
        self.file.sync_all().await.map_err(|e| self.io(e))?;
        tokio::fs::rename(&self.tmp, &self.path)
            .await
            .map_err(|e| self.io(e))
    }

    pub async fn abort(self) {
        let _ = tokio::fs::remove_file(&self.tmp).await;
    }
}
