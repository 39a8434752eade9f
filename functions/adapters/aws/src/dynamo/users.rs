//! `UserStore` on DynamoDB: one item per user (`USER#{id}` / `META`), listed through the
//! `inbox` index partition `DIRECTORY#USER`, plus one membership item per org unit
//! (`USER#{id}` / `MEMBER#{ou}`, index partition `MEMBERS#{ou}`) carrying the same record, so
//! the members of one org unit are one Query that reads only them (layout and read cost in
//! [`crate::keys`]). A put rewrites the record and its memberships in one transaction and
//! deletes the memberships of org units the user left.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use fallwerk_core::model::User;
use fallwerk_core::ports::{StoreError, StoreResult, UserStore};

use super::DynamoStore;
use super::case::TxOutcome;
use super::records::Tx;
use crate::codec::{Item, from_attr, get_s, item, key, s, to_json};
use crate::keys::*;

#[async_trait]
impl UserStore for DynamoStore {
    async fn put_user(&self, user: &User) -> StoreResult<()> {
        let json = to_json("user", user)?;
        let mut it = item(user_pk(&user.id), META);
        it.insert(DATA.into(), s(json.clone()));
        it.insert(GSI1_PK.into(), s(DIR_USERS));
        it.insert(GSI1_SK.into(), s(&user.id));
        it.insert(
            ORG_UNITS.into(),
            AttributeValue::L(user.org_units.iter().map(s).collect()),
        );
        let stored = self.membership_keys(&user.id).await?;
        let mut tx = Tx::new(&self.table);
        tx.put(it, None)?;
        for ou in &user.org_units {
            tx.put(membership_item(&user.id, ou, &json), None)?;
        }
        for sk in stored {
            let left = sk
                .strip_prefix(MEMBER_PREFIX)
                .is_some_and(|ou| !user.org_units.iter().any(|o| o == ou));
            if left {
                tx.delete(key(user_pk(&user.id), &sk))?;
            }
        }
        tx.check_limit(&format!("user {}", user.id))?;
        match self.transact(tx).await? {
            TxOutcome::Done => Ok(()),
            TxOutcome::Cancelled(reasons) => Err(StoreError::Backend(format!(
                "writing user {} was cancelled ({} reasons; a concurrent change of the same user)",
                user.id,
                reasons.len()
            ))),
        }
    }

    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.get_item(user_pk(id), META)
            .await?
            .map(|it| from_attr(&it, DATA, "user"))
            .transpose()
    }

    async fn users(&self, org_unit: Option<&str>) -> StoreResult<Vec<User>> {
        let pk = match org_unit {
            None => DIR_USERS.to_string(),
            Some(ou) => members_pk(ou),
        };
        let items = self
            .query_items(usize::MAX, || self.inbox_index_query(pk.clone()))
            .await?;
        items.iter().map(|it| from_attr(it, DATA, "user")).collect()
    }
}

/// The membership item of `user_id` in `ou`, with the user record as JSON.
fn membership_item(user_id: &str, ou: &str, json: &str) -> Item {
    let mut it = item(user_pk(user_id), &member_sk(ou));
    it.insert(DATA.into(), s(json));
    it.insert(GSI1_PK.into(), s(members_pk(ou)));
    it.insert(GSI1_SK.into(), s(user_id));
    it
}

impl DynamoStore {
    /// The sort keys of the user's stored membership items (strongly consistent).
    async fn membership_keys(&self, user_id: &str) -> StoreResult<Vec<String>> {
        let items = self
            .query_items(usize::MAX, || {
                self.query()
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :m)")
                    .expression_attribute_names("#pk", PK)
                    .expression_attribute_names("#sk", SK)
                    .expression_attribute_values(":pk", s(user_pk(user_id)))
                    .expression_attribute_values(":m", s(MEMBER_PREFIX))
                    .projection_expression("#sk")
                    .consistent_read(true)
            })
            .await?;
        Ok(items
            .iter()
            .filter_map(|it| get_s(it, SK).map(str::to_string))
            .collect())
    }

    /// Writes the membership items of users stored before they existed: every user of the
    /// directory is read strongly consistent and each missing membership put only where none
    /// exists (`attribute_not_exists`), so a concurrent put is never overwritten. Returns
    /// (users read, memberships written).
    pub async fn backfill_memberships(&self) -> StoreResult<(u64, u64)> {
        let listed = self.users(None).await?;
        let (mut read, mut written) = (0u64, 0u64);
        for listed in listed {
            let Some(user) = self.user(&listed.id).await? else {
                continue;
            };
            read += 1;
            let stored = self.membership_keys(&user.id).await?;
            let json = to_json("user", &user)?;
            for ou in &user.org_units {
                if stored.iter().any(|sk| *sk == member_sk(ou)) {
                    continue;
                }
                if self.put_once(membership_item(&user.id, ou, &json)).await? {
                    written += 1;
                }
            }
        }
        Ok((read, written))
    }
}
