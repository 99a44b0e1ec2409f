//! The foreign origin: a second listener that `next` links point to under
//! `Faults::foreign_next_link`. It answers `[]` to anything and records whether the request
//! carried credentials, which a client must never send to another origin.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::response::Response;

use crate::reply::json;
use crate::state::OrgState;
use crate::stats::ForeignRequest;

pub(crate) async fn handle(State(org): State<Arc<OrgState>>, request: Request) -> Response {
    let headers = request.headers();
    org.stats.foreign(ForeignRequest {
        method: request.method().to_string(),
        path: request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path().to_owned(), |p| p.to_string()),
        authorization: headers.contains_key(header::AUTHORIZATION),
        dpop: headers.contains_key("dpop"),
    });
    json(&serde_json::json!([]))
}
