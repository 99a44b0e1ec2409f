//! Writing each record of a resource once when Okta lists it twice: a user whose status
//! changes during a run can be in the plain user list and, moments later, in the DEPROVISIONED
//! search as well.
//!
//! Only a 64-bit hash of each id is kept (8 bytes per record: 8 MB for a million users, not the
//! records), and a continuation carries it on, so a run spread over invocations still writes
//! each id once. FNV-1a is used because the hash must be the same in the next invocation;
//! at 64 bits two ids of one org colliding is about as likely as one in 10¹⁶ per pair.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The ids written so far, as hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenIds(HashSet<u64>);

impl SeenIds {
    /// Records `id`; false if it was seen before.
    pub fn insert(&mut self, id: &str) -> bool {
        self.0.insert(fnv1a(id.as_bytes()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Stored as base64 of the sorted hashes, little-endian: a third of the size of JSON numbers.
impl Serialize for SeenIds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut hashes: Vec<u64> = self.0.iter().copied().collect();
        hashes.sort_unstable();
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        serializer.serialize_str(&STANDARD.encode(bytes))
    }
}

impl<'de> Deserialize<'de> for SeenIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        if bytes.len() % 8 != 0 {
            return Err(serde::de::Error::custom(
                "seen ids: not a whole number of hashes",
            ));
        }
        Ok(Self(
            bytes
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("chunks of 8")))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_counts_once_and_survives_a_round_trip() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("00u1abcdEFGH2345ijk7"));
        assert!(seen.insert("00u1abcdEFGH2345ijk8"));
        assert!(!seen.insert("00u1abcdEFGH2345ijk7"));
        let json = serde_json::to_string(&seen).unwrap();
        let mut back: SeenIds = serde_json::from_str(&json).unwrap();
        assert_eq!(back, seen);
        assert!(!back.insert("00u1abcdEFGH2345ijk8"));
        assert!(back.insert("00u1abcdEFGH2345ijk9"));
    }
}
