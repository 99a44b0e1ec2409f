//! `okta-org`: Okta org profile, security-relevant org settings, contacts and custom domains.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::ORG).await
}
