//! `okta-policies`: Okta policies of every type and their rules.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::POLICIES).await
}
