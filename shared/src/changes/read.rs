//! Reading the change feed back: the change records of a tenant's complete comparisons.

use chrono::{DateTime, Utc};
use flate2::read::MultiGzDecoder;
use serde_json::Value;
use std::io::{BufRead, BufReader};

use crate::manifest::{Manifest, Status};
use crate::resources::CHANGE_FEED;
use crate::store::{ObjectStore, StoreError};
use crate::tenant::TenantId;

/// The change records of `tenant` whose comparison ended at or after `since` (all without),
/// oldest comparison first. Only comparisons whose manifest says complete are read.
pub async fn records(
    store: &ObjectStore,
    tenant: &TenantId,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<Value>, StoreError> {
    let prefix = format!("_manifests/{}/tenant={tenant}/", CHANGE_FEED.name);
    let mut manifests = Vec::new();
    for key in store.list(&prefix).await? {
        let Some(object) = store.get(&key).await? else {
            continue;
        };
        let manifest: Manifest =
            serde_json::from_slice(&object.body).map_err(|e| StoreError::Io {
                key: store.location(&key),
                detail: format!("not a manifest: {e}"),
            })?;
        let window_end = manifest.changes.as_ref().and_then(|c| c.window_end);
        if manifest.status == Status::Complete && window_end >= since.or(window_end) {
            manifests.push((window_end, manifest));
        }
    }
    manifests.sort_by_key(|(end, m)| (*end, m.run_id.clone()));
    let mut records = Vec::new();
    for (_, manifest) in manifests {
        for part in &manifest.parts {
            let Some(object) = store.get(&part.key).await? else {
                return Err(StoreError::Io {
                    key: store.location(&part.key),
                    detail: "listed in its manifest but missing".into(),
                });
            };
            for line in BufReader::new(MultiGzDecoder::new(&object.body[..])).lines() {
                let line = line.map_err(|e| StoreError::Io {
                    key: store.location(&part.key),
                    detail: e.to_string(),
                })?;
                if let Ok(record) = serde_json::from_str(&line) {
                    records.push(record);
                }
            }
        }
    }
    Ok(records)
}
