//! Managing API keys and usage plans: validation, ids and hashing here, storage in the back ends.

use std::time::SystemTime;

use crate::{
    dispatch, period, secret, ApiKey, CreatedApiKey, NewApiKey, NewUsagePlan, State, StateError,
    UsagePlan,
};

pub(crate) fn key_not_found(id: &str) -> StateError {
    StateError::NotFound(format!("Invalid API Key identifier specified: {id}"))
}

pub(crate) fn plan_not_found(id: &str) -> StateError {
    StateError::NotFound(format!("Invalid Usage Plan ID specified: {id}"))
}

impl State {
    /// Creates a key; the plain value is in the answer and nowhere else.
    pub async fn create_api_key(&self, new: NewApiKey) -> Result<CreatedApiKey, StateError> {
        let value = match new.value {
            Some(value) => {
                secret::check_value(&value)?;
                value
            }
            None => secret::new_value()?,
        };
        let key = ApiKey {
            id: secret::new_id()?,
            name: new.name,
            enabled: new.enabled,
            created_date: period::unix_secs(SystemTime::now()),
            value_prefix: secret::value_prefix(&value),
            value_hash: secret::hash_value(&value),
            usage_plan_ids: Vec::new(),
        };
        dispatch!(self, b => embedded b.insert_key(&key)?, redis b.insert_key(&key).await?);
        Ok(CreatedApiKey { key, value })
    }

    /// The key with this id, if any.
    pub async fn get_api_key(&self, id: &str) -> Result<Option<ApiKey>, StateError> {
        dispatch!(self, b => embedded b.get_key(id), redis b.get_key(id).await)
    }

    /// The key whose value this is (what `x-api-key` carries), if any; enabled or not.
    pub async fn api_key_by_value(&self, value: &str) -> Result<Option<ApiKey>, StateError> {
        let hash = secret::hash_value(value);
        dispatch!(self, b => embedded b.key_by_hash(&hash), redis b.key_by_hash(&hash).await)
    }

    /// The key whose value has this lowercase hex SHA-256 (see [`crate::hash_value`]), if any.
    pub async fn api_key_by_hash(&self, value_hash: &str) -> Result<Option<ApiKey>, StateError> {
        dispatch!(self, b => embedded b.key_by_hash(value_hash), redis b.key_by_hash(value_hash).await)
    }

    /// Every key, ordered by name then id.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StateError> {
        let mut keys = dispatch!(self, b => embedded b.list_keys()?, redis b.list_keys().await?);
        keys.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(keys)
    }

    /// Deletes a key (and its plan memberships); NotFound when there is none.
    pub async fn delete_api_key(&self, id: &str) -> Result<(), StateError> {
        let deleted =
            dispatch!(self, b => embedded b.delete_key(id)?, redis b.delete_key(id).await?);
        if deleted {
            Ok(())
        } else {
            Err(key_not_found(id))
        }
    }

    /// Creates the key named `new.name` or brings the existing one in line (enabled flag, and the
    /// value when one is given), so seeding from a deployment twice changes nothing. Returns the
    /// key and, when this call created it, its plain value.
    pub async fn seed_api_key(
        &self,
        new: NewApiKey,
    ) -> Result<(ApiKey, Option<String>), StateError> {
        let existing = self
            .list_api_keys()
            .await?
            .into_iter()
            .find(|k| k.name == new.name);
        let Some(old) = existing else {
            let created = self.create_api_key(new).await?;
            return Ok((created.key, Some(created.value)));
        };
        let mut key = old.clone();
        key.enabled = new.enabled;
        if let Some(value) = &new.value {
            secret::check_value(value)?;
            key.value_hash = secret::hash_value(value);
            key.value_prefix = secret::value_prefix(value);
        }
        if key != old {
            dispatch!(self, b => embedded b.update_key(&key, &old)?, redis b.update_key(&key, &old).await?);
        }
        Ok((key, None))
    }

    /// Creates a usage plan.
    pub async fn create_usage_plan(&self, new: NewUsagePlan) -> Result<UsagePlan, StateError> {
        check_plan(&new)?;
        let plan = UsagePlan {
            id: secret::new_id()?,
            name: new.name,
            description: new.description,
            api_stages: new.api_stages,
            throttle: new.throttle,
            quota: new.quota,
            created_date: period::unix_secs(SystemTime::now()),
            key_ids: Vec::new(),
        };
        dispatch!(self, b => embedded b.put_plan(&plan)?, redis b.put_plan(&plan).await?);
        Ok(plan)
    }

    /// Creates the plan named `new.name` or replaces its settings (keeping its id, creation date
    /// and keys), so seeding twice changes nothing.
    pub async fn seed_usage_plan(&self, new: NewUsagePlan) -> Result<UsagePlan, StateError> {
        check_plan(&new)?;
        let existing = self
            .list_usage_plans()
            .await?
            .into_iter()
            .find(|p| p.name == new.name);
        let Some(old) = existing else {
            return self.create_usage_plan(new).await;
        };
        let plan = UsagePlan {
            description: new.description,
            api_stages: new.api_stages,
            throttle: new.throttle,
            quota: new.quota,
            ..old.clone()
        };
        if plan != old {
            dispatch!(self, b => embedded b.put_plan(&plan)?, redis b.put_plan(&plan).await?);
        }
        Ok(plan)
    }

    /// The plan with this id, if any.
    pub async fn get_usage_plan(&self, id: &str) -> Result<Option<UsagePlan>, StateError> {
        dispatch!(self, b => embedded b.get_plan(id), redis b.get_plan(id).await)
    }

    /// Every plan, ordered by name then id.
    pub async fn list_usage_plans(&self) -> Result<Vec<UsagePlan>, StateError> {
        let mut plans = dispatch!(self, b => embedded b.list_plans()?, redis b.list_plans().await?);
        plans.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(plans)
    }

    /// Deletes a plan (its keys stay, without it); NotFound when there is none.
    pub async fn delete_usage_plan(&self, id: &str) -> Result<(), StateError> {
        let deleted =
            dispatch!(self, b => embedded b.delete_plan(id)?, redis b.delete_plan(id).await?);
        if deleted {
            Ok(())
        } else {
            Err(plan_not_found(id))
        }
    }

    /// Adds a key to a plan (idempotent: adding it again changes nothing).
    pub async fn add_usage_plan_key(&self, plan_id: &str, key_id: &str) -> Result<(), StateError> {
        self.link(plan_id, key_id, true).await
    }

    /// Removes a key from a plan; NotFound when the key is not in it.
    pub async fn remove_usage_plan_key(
        &self,
        plan_id: &str,
        key_id: &str,
    ) -> Result<(), StateError> {
        let plan = self
            .get_usage_plan(plan_id)
            .await?
            .ok_or_else(|| plan_not_found(plan_id))?;
        if !plan.key_ids.iter().any(|k| k == key_id) {
            return Err(StateError::NotFound(format!(
                "Invalid API Key identifier specified: {key_id} is not in usage plan {plan_id}"
            )));
        }
        self.link(plan_id, key_id, false).await
    }

    async fn link(&self, plan_id: &str, key_id: &str, add: bool) -> Result<(), StateError> {
        if self.get_usage_plan(plan_id).await?.is_none() {
            return Err(plan_not_found(plan_id));
        }
        if self.get_api_key(key_id).await?.is_none() {
            return Err(key_not_found(key_id));
        }
        dispatch!(self, b => embedded b.link(plan_id, key_id, add), redis b.link(plan_id, key_id, add).await)
    }
}

/// AWS's own checks on a plan's numbers.
fn check_plan(plan: &NewUsagePlan) -> Result<(), StateError> {
    if plan.name.trim().is_empty() {
        return Err(StateError::BadRequest("Usage plan name is required".into()));
    }
    let throttles = plan
        .throttle
        .iter()
        .chain(plan.api_stages.iter().flat_map(|s| s.throttle.values()));
    for t in throttles {
        if !t.rate_limit.is_finite() || t.rate_limit < 0.0 {
            return Err(StateError::BadRequest(
                "Throttle rate limit must be a non-negative number".into(),
            ));
        }
    }
    if let Some(q) = &plan.quota {
        if q.offset >= q.limit.max(1) && q.offset > 0 {
            return Err(StateError::BadRequest(
                "Quota offset must be smaller than the limit".into(),
            ));
        }
    }
    Ok(())
}
