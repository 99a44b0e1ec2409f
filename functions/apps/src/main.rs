//! `okta-apps`: Okta apps, their user and group assignments, and OAuth scope grants.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::APPS).await
}
