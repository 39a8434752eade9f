//! `UserStore` for SQLite: one JSON row per user plus the membership rows of its org units,
//! written together in one transaction.

use async_trait::async_trait;
use fallwerk_core::model::User;
use fallwerk_core::ports::{StoreResult, UserStore};
use rusqlite::OptionalExtension;

use crate::codec::{db, from_json, query_all, to_json};
use crate::store::SqliteStore;

#[async_trait]
impl UserStore for SqliteStore {
    async fn put_user(&self, user: &User) -> StoreResult<()> {
        let (id, data, org_units) = (user.id.clone(), to_json(user)?, user.org_units.clone());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO users (id, data) VALUES (?1, ?2) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                [&id, &data],
            )
            .map_err(db)?;
            tx.execute("DELETE FROM user_org_units WHERE user_id = ?1", [&id])
                .map_err(db)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO user_org_units (org_unit_id, user_id) VALUES (?1, ?2)",
                )
                .map_err(db)?;
            for ou in &org_units {
                insert.execute([ou, &id]).map_err(db)?;
            }
            Ok(())
        })
        .await
    }

    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        let id = id.to_string();
        let data: Option<String> = self
            .run(move |conn| {
                conn.prepare_cached("SELECT data FROM users WHERE id = ?1")
                    .map_err(db)?
                    .query_row([id], |r| r.get(0))
                    .optional()
                    .map_err(db)
            })
            .await?;
        data.map(|d| from_json(&d)).transpose()
    }

    async fn users(&self, org_unit: Option<&str>) -> StoreResult<Vec<User>> {
        let org_unit = org_unit.map(str::to_string);
        let rows: Vec<String> = self
            .run(move |conn| match &org_unit {
                None => query_all(conn, "SELECT data FROM users ORDER BY id", [], |r| r.get(0)),
                Some(ou) => query_all(
                    conn,
                    "SELECT u.data FROM user_org_units m JOIN users u ON u.id = m.user_id \
                     WHERE m.org_unit_id = ?1 ORDER BY u.id",
                    [ou],
                    |r| r.get(0),
                ),
            })
            .await?;
        rows.iter().map(|d| from_json(d)).collect()
    }
}
