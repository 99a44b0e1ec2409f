//! `okta-logs`: Okta System Log, continuously and exactly once.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::LOGS).await
}
