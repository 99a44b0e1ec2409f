//! `okta-groups`: Okta groups, their members and group rules.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::GROUPS).await
}
