//! `DirectoryStore` on DynamoDB: one item per org unit, service and portal client; listings
//! through the `inbox` index partitions `DIRECTORY#OU`, `DIRECTORY#SERVICE`, `DIRECTORY#CLIENT`.

use async_trait::async_trait;
use fallwerk_core::model::{OrgUnit, PortalClient, Service};
use fallwerk_core::ports::{DirectoryStore, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::DynamoStore;
use crate::codec::{from_attr, item, s, to_json};
use crate::keys::*;

impl DynamoStore {
    async fn put_record<T: Serialize>(
        &self,
        what: &str,
        pk: String,
        dir: &str,
        id: &str,
        value: &T,
    ) -> StoreResult<()> {
        let mut it = item(pk, META);
        it.insert(DATA.into(), s(to_json(what, value)?));
        it.insert(GSI1_PK.into(), s(dir));
        it.insert(GSI1_SK.into(), s(id));
        self.put_item(it).await
    }

    async fn get_record<T: DeserializeOwned>(
        &self,
        what: &str,
        pk: String,
    ) -> StoreResult<Option<T>> {
        self.get_item(pk, META)
            .await?
            .map(|it| from_attr(&it, DATA, what))
            .transpose()
    }

    /// All records of one directory partition, by id ascending (the index is eventually consistent).
    async fn list_records<T: DeserializeOwned>(
        &self,
        what: &str,
        dir: &str,
    ) -> StoreResult<Vec<T>> {
        let items = self
            .query_items(usize::MAX, || self.inbox_index_query(dir))
            .await?;
        items.iter().map(|it| from_attr(it, DATA, what)).collect()
    }
}

#[async_trait]
impl DirectoryStore for DynamoStore {
    async fn put_org_unit(&self, ou: &OrgUnit) -> StoreResult<()> {
        self.put_record("org unit", org_unit_pk(&ou.id), DIR_ORG_UNITS, &ou.id, ou)
            .await
    }

    async fn org_unit(&self, id: &str) -> StoreResult<Option<OrgUnit>> {
        self.get_record("org unit", org_unit_pk(id)).await
    }

    async fn org_units(&self) -> StoreResult<Vec<OrgUnit>> {
        self.list_records("org unit", DIR_ORG_UNITS).await
    }

    async fn put_service(&self, service: &Service) -> StoreResult<()> {
        self.put_record(
            "service",
            service_pk(&service.leika_id),
            DIR_SERVICES,
            &service.leika_id,
            service,
        )
        .await
    }

    async fn service(&self, leika_id: &str) -> StoreResult<Option<Service>> {
        self.get_record("service", service_pk(leika_id)).await
    }

    async fn services(&self) -> StoreResult<Vec<Service>> {
        self.list_records("service", DIR_SERVICES).await
    }

    async fn put_portal_client(&self, client: &PortalClient) -> StoreResult<()> {
        self.put_record(
            "portal client",
            client_pk(&client.id),
            DIR_CLIENTS,
            &client.id,
            client,
        )
        .await
    }

    async fn portal_client(&self, id: &str) -> StoreResult<Option<PortalClient>> {
        self.get_record("portal client", client_pk(id)).await
    }

    async fn portal_clients(&self) -> StoreResult<Vec<PortalClient>> {
        self.list_records("portal client", DIR_CLIENTS).await
    }
}
