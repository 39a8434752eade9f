//! Test support (feature `testing`): the AWS backend on fresh emulator resources (a DynamoDB
//! Local table, a moto bucket and queues), seeded with one org unit offering one service, one
//! portal client and optionally one caseworker; and a minimal Lambda Runtime API to run the
//! function binaries against ([`runtime_api`]). The Lambda function crates' tests share it.

pub mod runtime_api;

use std::sync::Arc;

use fallwerk_aws::testing::{self, TableGuard};
use fallwerk_core::app::SystemClock;
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{DeadlineRules, OrgUnit, PortalClient, Service, User};

use crate::{Aws, AwsResources, Settings};

/// What to put into the fresh backend.
#[derive(Debug, Clone, Copy)]
pub struct Seed<'a> {
    pub org_unit: &'a str,
    pub leika_id: &'a str,
    pub client: &'a str,
    pub secret: &'a str,
    pub allow_signature_v1: bool,
    /// The caseworker the tests' tokens name (the user directory decides who may act).
    pub caseworker: Option<&'a str>,
}

/// The seeded backend; the table is deleted when it is dropped.
pub struct AwsFixture {
    pub aws: Aws,
    pub resources: AwsResources,
    pub table: TableGuard,
}

impl AwsFixture {
    /// The `FALLWERK_*` environment that makes a function process use these resources.
    pub fn env(&self) -> Vec<(String, String)> {
        std::iter::once(("FALLWERK_BACKEND", "aws".to_string()))
            .chain(self.resources.env())
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }
}

/// The AWS backend on fresh emulator resources, seeded; `None` (skipped, or a failure in CI)
/// without emulators.
pub async fn aws_backend(seed: &Seed<'_>) -> Option<AwsFixture> {
    if !testing::emulator_env() {
        return None;
    }
    let (_, table) = testing::dynamo().await?;
    let (_, bucket) = testing::s3_bucket().await?;
    let (_, queues) = testing::sqs_queues().await?;
    let resources = AwsResources {
        table: table.table.clone(),
        bucket,
        messaging_queue_url: queues.messaging,
        export_queue_url: queues.export,
    };
    let sdk = fallwerk_aws::sdk_config().await;
    let aws = Aws::new(
        &sdk,
        resources.clone(),
        Settings::default(),
        Arc::new(SystemClock),
    );
    let admin = Caller::caseworker("test-setup", &[], &[Role::Admin]);
    let service = Service {
        leika_id: seed.leika_id.into(),
        name: "Wohngeld".into(),
        rules: DeadlineRules::default(),
        required_documents: vec![],
        export_target: None,
    };
    aws.app.put_service(&admin, service).await.expect("service");
    let org_unit = OrgUnit {
        id: seed.org_unit.into(),
        name: "Bürgeramt".into(),
        notification_email: "oe@example.org".into(),
        state: Default::default(),
        services: vec![seed.leika_id.into()],
        municipality: None,
    };
    aws.app
        .put_org_unit(&admin, org_unit)
        .await
        .expect("org unit");
    let client = PortalClient {
        id: seed.client.into(),
        name: "Portal".into(),
        secret: seed.secret.into(),
        active: true,
        allow_signature_v1: seed.allow_signature_v1,
        applicant_fields: None,
    };
    aws.app
        .put_portal_client(&admin, client)
        .await
        .expect("portal client");
    if let Some(account) = seed.caseworker {
        let user = User {
            id: account.into(),
            family_name: "Test".into(),
            given_name: String::new(),
            email: format!("{account}@example.org"),
            org_units: vec![seed.org_unit.into()],
            roles: vec![Role::Caseworker],
            active: true,
            absence: None,
            password_hash: None,
        };
        aws.app.save_user(user).await.expect("caseworker");
    }
    Some(AwsFixture {
        aws,
        resources,
        table,
    })
}
