//! The durable part of the embedded back end: one redb file holding keys, plans and quota
//! counters. Records are JSON; key values appear only as SHA-256 hashes.

use std::path::{Path, PathBuf};

use redb::{ConcurrencyMode, Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{ApiKey, StateError, UsagePlan};

const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("api_keys");
const KEY_HASHES: TableDefinition<&str, &str> = TableDefinition::new("api_key_hashes");
const PLANS: TableDefinition<&str, &[u8]> = TableDefinition::new("usage_plans");
/// Quota key → (period start, used).
const QUOTAS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("quotas");

/// The open database file.
pub(crate) struct Db {
    db: Database,
    path: PathBuf,
}

impl Db {
    /// Opens (creating) the file and its tables. Several processes may have it open (a running
    /// `turnpike serve` and the `turnpike keys` command), each write transaction taking the
    /// file's write lock in turn.
    pub fn open(path: &Path) -> Result<Db, StateError> {
        let db = Database::builder()
            .set_concurrency_mode(ConcurrencyMode::MultiWriter)
            .create(path)
            .map_err(|e| StateError::db(path, e))?;
        let this = Db {
            db,
            path: path.to_path_buf(),
        };
        this.write(|txn| {
            txn.open_table(KEYS)?;
            txn.open_table(KEY_HASHES)?;
            txn.open_table(PLANS)?;
            txn.open_table(QUOTAS)?;
            Ok(())
        })?;
        Ok(this)
    }

    fn err(&self, e: impl std::fmt::Display) -> StateError {
        StateError::db(&self.path, e)
    }

    /// Runs `f` in one write transaction and commits it durably.
    fn write<T>(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<T, TxError>,
    ) -> Result<T, StateError> {
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        let out = f(&txn).map_err(|e| e.into_state(&self.path))?;
        txn.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&redb::ReadTransaction) -> Result<T, TxError>,
    ) -> Result<T, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        f(&txn).map_err(|e| e.into_state(&self.path))
    }

    pub fn insert_key(&self, key: &ApiKey) -> Result<(), StateError> {
        self.write(|txn| {
            let mut hashes = txn.open_table(KEY_HASHES)?;
            if hashes.get(key.value_hash.as_str())?.is_some() {
                return Err(TxError::State(conflict()));
            }
            hashes.insert(key.value_hash.as_str(), key.id.as_str())?;
            txn.open_table(KEYS)?
                .insert(key.id.as_str(), encode(key)?.as_slice())?;
            Ok(())
        })
    }

    /// Replaces `old` by `key` (same id), moving the hash index if the value changed.
    pub fn update_key(&self, key: &ApiKey, old: &ApiKey) -> Result<(), StateError> {
        self.write(|txn| {
            if key.value_hash != old.value_hash {
                let mut hashes = txn.open_table(KEY_HASHES)?;
                if hashes.get(key.value_hash.as_str())?.is_some() {
                    return Err(TxError::State(conflict()));
                }
                hashes.remove(old.value_hash.as_str())?;
                hashes.insert(key.value_hash.as_str(), key.id.as_str())?;
            }
            txn.open_table(KEYS)?
                .insert(key.id.as_str(), encode(key)?.as_slice())?;
            Ok(())
        })
    }

    pub fn get_key(&self, id: &str) -> Result<Option<ApiKey>, StateError> {
        self.read(|txn| get_json(&txn.open_table(KEYS)?, id))
    }

    pub fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StateError> {
        self.read(|txn| {
            let id = match txn.open_table(KEY_HASHES)?.get(hash)? {
                Some(id) => id.value().to_string(),
                None => return Ok(None),
            };
            get_json(&txn.open_table(KEYS)?, &id)
        })
    }

    pub fn list_keys(&self) -> Result<Vec<ApiKey>, StateError> {
        self.read(|txn| list_json(&txn.open_table(KEYS)?))
    }

    /// Deletes a key and its plan memberships; false when there was none.
    pub fn delete_key(&self, id: &str) -> Result<bool, StateError> {
        self.write(|txn| {
            let mut keys = txn.open_table(KEYS)?;
            let Some(key): Option<ApiKey> = get_json(&keys, id)? else {
                return Ok(false);
            };
            keys.remove(id)?;
            txn.open_table(KEY_HASHES)?
                .remove(key.value_hash.as_str())?;
            let mut plans = txn.open_table(PLANS)?;
            for plan_id in &key.usage_plan_ids {
                if let Some(mut plan) = get_json::<UsagePlan>(&plans, plan_id)? {
                    plan.key_ids.retain(|k| k != id);
                    plans.insert(plan_id.as_str(), encode(&plan)?.as_slice())?;
                }
            }
            Ok(true)
        })
    }

    /// Inserts or replaces a plan record (membership included).
    pub fn put_plan(&self, plan: &UsagePlan) -> Result<(), StateError> {
        self.write(|txn| {
            txn.open_table(PLANS)?
                .insert(plan.id.as_str(), encode(plan)?.as_slice())?;
            Ok(())
        })
    }

    pub fn get_plan(&self, id: &str) -> Result<Option<UsagePlan>, StateError> {
        self.read(|txn| get_json(&txn.open_table(PLANS)?, id))
    }

    pub fn list_plans(&self) -> Result<Vec<UsagePlan>, StateError> {
        self.read(|txn| list_json(&txn.open_table(PLANS)?))
    }

    /// Deletes a plan and removes it from its keys; false when there was none.
    pub fn delete_plan(&self, id: &str) -> Result<bool, StateError> {
        self.write(|txn| {
            let mut plans = txn.open_table(PLANS)?;
            let Some(plan): Option<UsagePlan> = get_json(&plans, id)? else {
                return Ok(false);
            };
            plans.remove(id)?;
            let mut keys = txn.open_table(KEYS)?;
            for key_id in &plan.key_ids {
                if let Some(mut key) = get_json::<ApiKey>(&keys, key_id)? {
                    key.usage_plan_ids.retain(|p| p != id);
                    keys.insert(key_id.as_str(), encode(&key)?.as_slice())?;
                }
            }
            Ok(true)
        })
    }

    /// Adds (or removes) a key to (from) a plan, updating both records in one transaction.
    pub fn link(&self, plan_id: &str, key_id: &str, add: bool) -> Result<(), StateError> {
        self.write(|txn| {
            let mut plans = txn.open_table(PLANS)?;
            let mut keys = txn.open_table(KEYS)?;
            let mut plan: UsagePlan = get_json(&plans, plan_id)?
                .ok_or_else(|| TxError::State(crate::admin::plan_not_found(plan_id)))?;
            let mut key: ApiKey = get_json(&keys, key_id)?
                .ok_or_else(|| TxError::State(crate::admin::key_not_found(key_id)))?;
            plan.key_ids.retain(|k| k != key_id);
            key.usage_plan_ids.retain(|p| p != plan_id);
            if add {
                plan.key_ids.push(key_id.to_string());
                key.usage_plan_ids.push(plan_id.to_string());
                plan.key_ids.sort();
                key.usage_plan_ids.sort();
            }
            plans.insert(plan_id, encode(&plan)?.as_slice())?;
            keys.insert(key_id, encode(&key)?.as_slice())?;
            Ok(())
        })
    }

    /// The counted usage of a quota key: (period start, used).
    pub fn quota(&self, key: &str) -> Result<Option<(u64, u64)>, StateError> {
        self.read(|txn| Ok(txn.open_table(QUOTAS)?.get(key)?.map(|v| v.value())))
    }

    /// Writes quota counters in one durable transaction.
    pub fn put_quotas(&self, entries: &[(String, u64, u64)]) -> Result<(), StateError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.write(|txn| {
            let mut table = txn.open_table(QUOTAS)?;
            for (key, start, used) in entries {
                table.insert(key.as_str(), (*start, *used))?;
            }
            Ok(())
        })
    }
}

fn conflict() -> StateError {
    StateError::Conflict("API Key already exists".into())
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, TxError> {
    serde_json::to_vec(value).map_err(|e| TxError::Other(e.to_string()))
}

fn get_json<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    id: &str,
) -> Result<Option<T>, TxError> {
    match table.get(id)? {
        Some(bytes) => serde_json::from_slice(bytes.value())
            .map(Some)
            .map_err(|e| TxError::State(corrupt(id, e))),
        None => Ok(None),
    }
}

fn list_json<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Vec<T>, TxError> {
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (id, bytes) = entry?;
        out.push(
            serde_json::from_slice(bytes.value())
                .map_err(|e| TxError::State(corrupt(id.value(), e)))?,
        );
    }
    Ok(out)
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StateError {
    StateError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    }
}

/// Errors inside a transaction: redb's own, or ours (conflict, not found, corrupt record).
pub(crate) enum TxError {
    State(StateError),
    Other(String),
}

impl TxError {
    fn into_state(self, path: &Path) -> StateError {
        match self {
            TxError::State(e) => e,
            TxError::Other(message) => StateError::db(path, message),
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for TxError {
            fn from(e: $t) -> TxError {
                TxError::Other(e.to_string())
            }
        }
    )*};
}
from_redb!(redb::TableError, redb::StorageError);
