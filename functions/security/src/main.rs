//! `okta-security`: Okta identity providers, network zones, ThreatInsight and behavior detection.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::SECURITY).await
}
