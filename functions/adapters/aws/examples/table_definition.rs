//! Prints the DynamoDB table definition of the adapter ([`fallwerk_aws::keys::table_definition`])
//! as JSON in CloudFormation's spelling (`AWS::DynamoDB::Table` property names), so infra/check.sh
//! can compare it with infra/template.yaml:
//!
//! `cargo run -q -p fallwerk-aws --example table_definition`

use fallwerk_aws::keys::{KeyDef, table_definition};
use serde_json::{Value, json};

fn key_schema(keys: &[KeyDef]) -> Value {
    keys.iter()
        .map(|k| json!({ "AttributeName": k.attribute_name, "KeyType": k.key_type }))
        .collect()
}

fn main() {
    let def = table_definition();
    let attributes: Value = def
        .attribute_definitions
        .iter()
        .map(|(name, ty)| json!({ "AttributeName": name, "AttributeType": ty }))
        .collect();
    let indexes: Value = def
        .global_secondary_indexes
        .iter()
        .map(|gsi| {
            json!({
                "IndexName": gsi.index_name,
                "KeySchema": key_schema(&gsi.key_schema),
                "Projection": { "ProjectionType": gsi.projection_type },
            })
        })
        .collect();
    let out = json!({
        "BillingMode": def.billing_mode,
        "KeySchema": key_schema(&def.key_schema),
        "AttributeDefinitions": attributes,
        "GlobalSecondaryIndexes": indexes,
        "TimeToLiveSpecification": { "AttributeName": def.ttl_attribute, "Enabled": true },
    });
    match serde_json::to_string_pretty(&out) {
        Ok(text) => println!("{text}"),
        Err(err) => {
            eprintln!("table_definition: {err}");
            std::process::exit(1);
        }
    }
}
