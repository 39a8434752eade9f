//! `DirectoryStore` for SQLite: org units, services and portal clients as JSON by id.

use async_trait::async_trait;
use fallwerk_core::model::{OrgUnit, PortalClient, Service};
use fallwerk_core::ports::{DirectoryStore, StoreResult};
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec::{db, from_json, query_all, to_json};
use crate::store::SqliteStore;

/// The three directory tables; the names are constants, never user input.
#[derive(Clone, Copy)]
enum Table {
    OrgUnits,
    Services,
    PortalClients,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::OrgUnits => "org_units",
            Table::Services => "services",
            Table::PortalClients => "portal_clients",
        }
    }
}

impl SqliteStore {
    async fn put_entry<T: Serialize>(&self, table: Table, id: &str, value: &T) -> StoreResult<()> {
        let (id, data) = (id.to_string(), to_json(value)?);
        self.write(move |tx| {
            let sql = format!(
                "INSERT INTO {} (id, data) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                table.name()
            );
            tx.execute(&sql, [id, data]).map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn get_entry<T: DeserializeOwned>(
        &self,
        table: Table,
        id: &str,
    ) -> StoreResult<Option<T>> {
        let id = id.to_string();
        let data: Option<String> = self
            .run_point(move |conn| {
                let sql = format!("SELECT data FROM {} WHERE id = ?1", table.name());
                conn.prepare_cached(&sql)
                    .and_then(|mut stmt| stmt.query_row([id], |r| r.get(0)).optional())
                    .map_err(db)
            })
            .await?;
        data.map(|d| from_json(&d)).transpose()
    }

    async fn list_entries<T: DeserializeOwned>(&self, table: Table) -> StoreResult<Vec<T>> {
        let rows: Vec<String> = self
            .run(move |conn| {
                let sql = format!("SELECT data FROM {} ORDER BY id", table.name());
                query_all(conn, &sql, [], |r| r.get(0))
            })
            .await?;
        rows.iter().map(|d| from_json(d)).collect()
    }
}

#[async_trait]
impl DirectoryStore for SqliteStore {
    async fn put_org_unit(&self, ou: &OrgUnit) -> StoreResult<()> {
        self.put_entry(Table::OrgUnits, &ou.id, ou).await
    }
    async fn org_unit(&self, id: &str) -> StoreResult<Option<OrgUnit>> {
        self.get_entry(Table::OrgUnits, id).await
    }
    async fn org_units(&self) -> StoreResult<Vec<OrgUnit>> {
        self.list_entries(Table::OrgUnits).await
    }
    async fn put_service(&self, service: &Service) -> StoreResult<()> {
        self.put_entry(Table::Services, &service.leika_id, service)
            .await
    }
    async fn service(&self, leika_id: &str) -> StoreResult<Option<Service>> {
        self.get_entry(Table::Services, leika_id).await
    }
    async fn services(&self) -> StoreResult<Vec<Service>> {
        self.list_entries(Table::Services).await
    }
    async fn put_portal_client(&self, client: &PortalClient) -> StoreResult<()> {
        self.put_entry(Table::PortalClients, &client.id, client)
            .await
    }
    async fn portal_client(&self, id: &str) -> StoreResult<Option<PortalClient>> {
        self.get_entry(Table::PortalClients, id).await
    }
    async fn portal_clients(&self) -> StoreResult<Vec<PortalClient>> {
        self.list_entries(Table::PortalClients).await
    }
}
