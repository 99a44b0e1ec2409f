//! Reading the change feed back: the change records of a tenant's complete comparisons.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::records;
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
    let scratch = std::env::temp_dir().join(format!(
        "okta-ingest-changes-read-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ));
    let read = read_parts(store, &manifests, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    read
}

async fn read_parts(
    store: &ObjectStore,
    manifests: &[(Option<DateTime<Utc>>, Manifest)],
    scratch: &std::path::Path,
) -> Result<Vec<Value>, StoreError> {
    let io = |key: &str, e: std::io::Error| StoreError::Io {
        key: store.location(key),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(scratch).map_err(|e| io("", e))?;
    let mut out = Vec::new();
    for (_, manifest) in manifests {
        let keys: Vec<String> = manifest.parts.iter().map(|p| p.key.clone()).collect();
        for key in records::one_format(&keys) {
            let file = scratch.join("part");
            if !store.download(&key, &file).await? {
                return Err(StoreError::Io {
                    key: store.location(&key),
                    detail: "listed in its manifest but missing".into(),
                });
            }
            records::for_each(&key, &file, None, |record| {
                out.push(record);
                Ok(())
            })
            .map_err(|e| io(&key, e))?;
        }
    }
    Ok(out)
}
