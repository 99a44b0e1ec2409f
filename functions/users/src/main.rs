//! `okta-users`: every user (DEPROVISIONED included) and each user's factors.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::USERS).await
}
