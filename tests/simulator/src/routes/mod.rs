//! The management endpoints the simulator serves: path template, the OAuth scope Okta checks,
//! and the handler. One table, so stats, scopes and dispatch agree.

mod users;

use axum::response::Response;

use crate::state::OrgState;

/// One endpoint. `{id}` in a template matches one path segment.
pub(crate) struct Route {
    pub template: &'static str,
    pub scope: &'static str,
    pub handler: fn(&Call) -> Response,
}

/// An authorised request, as handlers see it.
pub(crate) struct Call<'a> {
    pub org: &'a OrgState,
    /// The request path (no query).
    pub path: &'a str,
    /// The values of the template's `{id}` segments, in order.
    pub ids: Vec<&'a str>,
    /// The raw query string, as received.
    pub raw_query: Option<&'a str>,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
}

impl Call<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first `{id}` of the path.
    pub fn id(&self) -> &str {
        self.ids.first().copied().unwrap_or_default()
    }

    /// The URL of this request on the org's origin.
    pub fn self_url(&self) -> String {
        match self.raw_query {
            Some(q) if !q.is_empty() => format!("{}{}?{q}", self.org.url, self.path),
            _ => format!("{}{}", self.org.url, self.path),
        }
    }
}

static ROUTES: &[Route] = &[
    Route {
        template: "/api/v1/users",
        scope: "okta.users.read",
        handler: users::list,
    },
    Route {
        template: "/api/v1/users/{id}/factors",
        scope: "okta.users.read",
        handler: users::factors,
    },
];

/// The route of a path and the values of its `{id}` segments.
pub(crate) fn find(path: &str) -> Option<(&'static Route, Vec<&str>)> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES.iter().find_map(|route| {
        let template: Vec<&str> = route.template.split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut ids = Vec::new();
        for (t, s) in template.iter().zip(&segments) {
            if *t == "{id}" && !s.is_empty() {
                ids.push(*s);
            } else if t != s {
                return None;
            }
        }
        Some((route, ids))
    })
}
