//! A small JSON object changed only by conditional writes: create-only when absent,
//! compare-and-swap on the ETag otherwise. Checkpoints, leases and continuations live in these.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ObjectStore, PutMode, StoreError};

/// A small JSON object changed only by conditional writes.
pub struct StateObject<'s> {
    store: &'s ObjectStore,
    key: String,
}

impl<'s> StateObject<'s> {
    pub fn new(store: &'s ObjectStore, key: String) -> Self {
        Self { store, key }
    }

    /// Whether it lives in a local folder (where a process id says whether its writer lives).
    pub fn is_local(&self) -> bool {
        self.store.is_local()
    }

    /// Where it is stored (`s3://…` or a path), for messages.
    pub fn location(&self) -> String {
        self.store.location(&self.key)
    }

    /// The current value and its ETag, or `None` if there is none yet.
    pub async fn load<T: DeserializeOwned>(&self) -> Result<Option<(T, String)>, StoreError> {
        let Some(object) = self.store.get(&self.key).await? else {
            return Ok(None);
        };
        let value = serde_json::from_slice(&object.body).map_err(|e| StoreError::Io {
            key: self.store.location(&self.key),
            detail: format!("not a valid state object ({e}); move it aside to start over"),
        })?;
        Ok(Some((value, object.etag)))
    }

    /// Writes `value` if the object is still at `expected` (`None`: if there is none).
    /// [`StoreError::Conflict`] means another writer got there first.
    pub async fn save<T: Serialize>(
        &self,
        value: &T,
        expected: Option<&str>,
    ) -> Result<String, StoreError> {
        let body = serde_json::to_vec_pretty(value).expect("state serialises");
        let mode = match expected {
            None => PutMode::CreateOnly,
            Some(etag) => PutMode::ReplaceIfMatch(etag.to_owned()),
        };
        self.store.put(&self.key, body.into(), mode).await
    }
}
