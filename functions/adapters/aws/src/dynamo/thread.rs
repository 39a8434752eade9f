//! The caseworkers' read marks on postbox messages (DynamoDB): the mark is the attribute `read`
//! of the message item (`CASE#{id}` / `MSG#{at}#{message_id}`), written once with a condition;
//! the case item and its version stay untouched.

use fallwerk_core::model::{Message, ReadMark};
use fallwerk_core::ports::{StoreError, StoreResult};

use super::{DynamoStore, written};
use crate::codec::{Item, from_attr, get_s, key, s, to_json};
use crate::keys::*;

/// Adds the stored read mark (if any) of a message item to the decoded message.
pub(super) fn with_read_mark(item: &Item, mut message: Message) -> StoreResult<Message> {
    if item.contains_key(READ_MARK) {
        message.read = Some(from_attr(item, READ_MARK, "read mark")?);
    }
    Ok(message)
}

impl DynamoStore {
    pub(super) async fn redact(&self, case_id: &str) -> StoreResult<()> {
        let pk = case_pk(case_id);
        let items = self
            .query_items(usize::MAX, || self.prefix_query(&pk, MESSAGE_PREFIX))
            .await?;
        for it in &items {
            let message: Message = from_attr(it, DATA, "message")?;
            // The whole item is replaced: the read mark attribute goes with it.
            self.put_item(super::records::message_item(&message.redacted())?)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn mark_read(
        &self,
        case_id: &str,
        message_id: &str,
        mark: &ReadMark,
    ) -> StoreResult<bool> {
        // The message's sort key holds its time; find it among the thread's keys (one Query
        // reading only the keys of the case's messages).
        let pk = case_pk(case_id);
        let suffix = format!("#{message_id}");
        let items = self
            .query_items(usize::MAX, || {
                self.prefix_query(&pk, MESSAGE_PREFIX)
                    .projection_expression("#sk")
            })
            .await?;
        let sk = items
            .iter()
            .filter_map(|it| get_s(it, SK))
            .find(|sk| sk.ends_with(&suffix))
            .ok_or_else(|| StoreError::NotFound(format!("message {message_id}")))?
            .to_string();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, &sk)))
            .update_expression("SET #read = :read")
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#read)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#read", READ_MARK)
            .expression_attribute_values(":read", s(to_json("read mark", mark)?))
            .send()
            .await;
        written(result)
    }
}
