//! `UserStore` on DynamoDB: one item per user (`USER#{id}` / `META`), listed through the
//! `inbox` index partition `DIRECTORY#USER`; the members of one org unit are that partition
//! filtered on the `org_units` list attribute (layout and read cost in [`crate::keys`]).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use fallwerk_core::model::User;
use fallwerk_core::ports::{StoreResult, UserStore};

use super::DynamoStore;
use crate::codec::{from_attr, item, key, s, to_json};
use crate::error::backend;
use crate::keys::*;

#[async_trait]
impl UserStore for DynamoStore {
    async fn put_user(&self, user: &User) -> StoreResult<()> {
        let mut it = item(user_pk(&user.id), META);
        it.insert(DATA.into(), s(to_json("user", user)?));
        it.insert(GSI1_PK.into(), s(DIR_USERS));
        it.insert(GSI1_SK.into(), s(&user.id));
        it.insert(
            ORG_UNITS.into(),
            AttributeValue::L(user.org_units.iter().map(s).collect()),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(it))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        let resp = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(id), META)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        resp.item.map(|it| from_attr(&it, DATA, "user")).transpose()
    }

    async fn users(&self, org_unit: Option<&str>) -> StoreResult<Vec<User>> {
        let items = self
            .query_items(usize::MAX, || {
                let q = self
                    .query()
                    .index_name(INBOX_INDEX)
                    .key_condition_expression("#gpk = :gpk")
                    .expression_attribute_names("#gpk", GSI1_PK)
                    .expression_attribute_values(":gpk", s(DIR_USERS));
                match org_unit {
                    None => q,
                    Some(ou) => q
                        .filter_expression("contains(#ous, :ou)")
                        .expression_attribute_names("#ous", ORG_UNITS)
                        .expression_attribute_values(":ou", s(ou)),
                }
            })
            .await?;
        items.iter().map(|it| from_attr(it, DATA, "user")).collect()
    }
}
