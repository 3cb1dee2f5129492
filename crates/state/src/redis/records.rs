//! API keys and usage plans in Redis: one hash per record (each field JSON-encoded), membership
//! as two sets (plan → keys, key → plans), id sets for listing, and a string per value hash for
//! lookups. Every key carries the `{admin}` hash tag so a cluster keeps them in one slot and the
//! MULTI blocks below stay atomic.

use std::collections::HashMap;

use redis::AsyncCommands;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Redis;
use crate::{ApiKey, StateError, UsagePlan};

const KEY_PLANS: &str = "usagePlanIds";
const PLAN_KEYS: &str = "keyIds";

impl Redis {
    fn admin(&self, rest: &str) -> String {
        format!("{}:{{admin}}:{rest}", self.prefix)
    }

    async fn read_record<T: DeserializeOwned>(
        &self,
        hash_key: String,
        members_key: String,
        members_field: &str,
    ) -> Result<Option<T>, StateError> {
        let mut conn = self.conn.clone();
        let (fields, mut members): (HashMap<String, String>, Vec<String>) = self
            .bounded(
                "admin",
                redis::pipe()
                    .hgetall(&hash_key)
                    .smembers(&members_key)
                    .query_async(&mut conn),
            )
            .await?;
        if fields.is_empty() {
            return Ok(None);
        }
        members.sort();
        let mut object = serde_json::Map::new();
        for (name, json) in fields {
            let value = serde_json::from_str(&json).map_err(|e| corrupt(&hash_key, e))?;
            object.insert(name, value);
        }
        object.insert(members_field.to_string(), members.into());
        serde_json::from_value(object.into())
            .map(Some)
            .map_err(|e| corrupt(&hash_key, e))
    }

    pub async fn insert_key(&self, key: &ApiKey) -> Result<(), StateError> {
        let mut conn = self.conn.clone();
        let index = self.admin(&format!("apikeyhash:{}", key.value_hash));
        let claimed: bool = self.bounded("admin", conn.set_nx(&index, &key.id)).await?;
        if !claimed {
            return Err(StateError::Conflict("API Key already exists".into()));
        }
        self.write_key(key).await
    }

    async fn write_key(&self, key: &ApiKey) -> Result<(), StateError> {
        let mut conn = self.conn.clone();
        let fields = fields(key, KEY_PLANS)?;
        let hash_key = self.admin(&format!("apikey:{}", key.id));
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(&hash_key)
            .hset_multiple(&hash_key, &fields)
            .sadd(self.admin("apikeys"), &key.id);
        self.bounded("admin", pipe.query_async::<()>(&mut conn))
            .await
    }

    pub async fn update_key(&self, key: &ApiKey, old: &ApiKey) -> Result<(), StateError> {
        if key.value_hash != old.value_hash {
            let mut conn = self.conn.clone();
            let index = self.admin(&format!("apikeyhash:{}", key.value_hash));
            let claimed: bool = self.bounded("admin", conn.set_nx(&index, &key.id)).await?;
            if !claimed {
                return Err(StateError::Conflict("API Key already exists".into()));
            }
            let old_index = self.admin(&format!("apikeyhash:{}", old.value_hash));
            self.bounded("admin", conn.del::<_, ()>(old_index)).await?;
        }
        self.write_key(key).await
    }

    pub async fn get_key(&self, id: &str) -> Result<Option<ApiKey>, StateError> {
        self.read_record(
            self.admin(&format!("apikey:{id}")),
            self.admin(&format!("apikey:{id}:plans")),
            KEY_PLANS,
        )
        .await
    }

    pub async fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StateError> {
        let mut conn = self.conn.clone();
        let index = self.admin(&format!("apikeyhash:{hash}"));
        let id: Option<String> = self.bounded("admin", conn.get(index)).await?;
        match id {
            Some(id) => self.get_key(&id).await,
            None => Ok(None),
        }
    }

    pub async fn list_keys(&self) -> Result<Vec<ApiKey>, StateError> {
        let mut conn = self.conn.clone();
        let ids: Vec<String> = self
            .bounded("admin", conn.smembers(self.admin("apikeys")))
            .await?;
        let mut keys = Vec::with_capacity(ids.len());
        for id in ids {
            keys.extend(self.get_key(&id).await?);
        }
        Ok(keys)
    }

    pub async fn delete_key(&self, id: &str) -> Result<bool, StateError> {
        let Some(key) = self.get_key(id).await? else {
            return Ok(false);
        };
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(self.admin(&format!("apikey:{id}")))
            .del(self.admin(&format!("apikey:{id}:plans")))
            .del(self.admin(&format!("apikeyhash:{}", key.value_hash)))
            .srem(self.admin("apikeys"), id);
        for plan in &key.usage_plan_ids {
            pipe.srem(self.admin(&format!("plan:{plan}:keys")), id);
        }
        self.bounded("admin", pipe.query_async::<()>(&mut conn))
            .await?;
        Ok(true)
    }

    pub async fn put_plan(&self, plan: &UsagePlan) -> Result<(), StateError> {
        let mut conn = self.conn.clone();
        let fields = fields(plan, PLAN_KEYS)?;
        let hash_key = self.admin(&format!("plan:{}", plan.id));
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(&hash_key)
            .hset_multiple(&hash_key, &fields)
            .sadd(self.admin("plans"), &plan.id);
        self.bounded("admin", pipe.query_async::<()>(&mut conn))
            .await
    }

    pub async fn get_plan(&self, id: &str) -> Result<Option<UsagePlan>, StateError> {
        self.read_record(
            self.admin(&format!("plan:{id}")),
            self.admin(&format!("plan:{id}:keys")),
            PLAN_KEYS,
        )
        .await
    }

    pub async fn list_plans(&self) -> Result<Vec<UsagePlan>, StateError> {
        let mut conn = self.conn.clone();
        let ids: Vec<String> = self
            .bounded("admin", conn.smembers(self.admin("plans")))
            .await?;
        let mut plans = Vec::with_capacity(ids.len());
        for id in ids {
            plans.extend(self.get_plan(&id).await?);
        }
        Ok(plans)
    }

    pub async fn delete_plan(&self, id: &str) -> Result<bool, StateError> {
        let Some(plan) = self.get_plan(id).await? else {
            return Ok(false);
        };
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(self.admin(&format!("plan:{id}")))
            .del(self.admin(&format!("plan:{id}:keys")))
            .srem(self.admin("plans"), id);
        for key in &plan.key_ids {
            pipe.srem(self.admin(&format!("apikey:{key}:plans")), id);
        }
        self.bounded("admin", pipe.query_async::<()>(&mut conn))
            .await?;
        Ok(true)
    }

    pub async fn link(&self, plan_id: &str, key_id: &str, add: bool) -> Result<(), StateError> {
        let mut conn = self.conn.clone();
        let plan_keys = self.admin(&format!("plan:{plan_id}:keys"));
        let key_plans = self.admin(&format!("apikey:{key_id}:plans"));
        let mut pipe = redis::pipe();
        pipe.atomic();
        if add {
            pipe.sadd(plan_keys, key_id).sadd(key_plans, plan_id);
        } else {
            pipe.srem(plan_keys, key_id).srem(key_plans, plan_id);
        }
        self.bounded("admin", pipe.query_async::<()>(&mut conn))
            .await
    }
}

/// A record's top-level fields, JSON-encoded, without its membership list (kept in a set).
fn fields<T: Serialize>(
    record: &T,
    members_field: &str,
) -> Result<Vec<(String, String)>, StateError> {
    let value = serde_json::to_value(record).map_err(|e| StateError::BadRequest(e.to_string()))?;
    let serde_json::Value::Object(object) = value else {
        return Err(StateError::BadRequest("record is not an object".into()));
    };
    Ok(object
        .into_iter()
        .filter(|(name, _)| name != members_field)
        .map(|(name, value)| (name, value.to_string()))
        .collect())
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StateError {
    StateError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    }
}
