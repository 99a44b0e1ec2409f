//! `okta-devices`: Okta devices with their users (Identity Engine).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::DEVICES).await
}
