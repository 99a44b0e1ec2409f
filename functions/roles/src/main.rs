//! `okta-roles`: Okta admin role assignments, custom roles and their permissions, resource sets.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    okta_ingest::lambda::serve(&okta_ingest::resources::ROLES).await
}
