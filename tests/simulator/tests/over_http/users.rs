//! Users paging, the DEPROVISIONED search, factors, and the headers every response carries.

use std::collections::BTreeSet;

use okta_sim::{SimConfig, Simulator};

use crate::helpers::{body, get, header, link, ssws, walk};

#[tokio::test]
async fn paging_lists_every_listed_user_once_and_search_finds_the_deprovisioned() {
    let sim = Simulator::start(SimConfig::small().with_users(480))
        .await
        .unwrap();
    let data = &sim.dataset();
    let deprovisioned: BTreeSet<_> = data
        .users
        .iter()
        .filter(|u| u["status"] == "DEPROVISIONED")
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(deprovisioned.len(), 30, "one user in sixteen");

    let (listed, requests) = walk(&format!("{}/api/v1/users?limit=200", sim.url()), &ssws()).await;
    assert_eq!(requests, 3, "450 users in pages of 200");
    let ids: Vec<_> = listed.iter().map(|u| u["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<_> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no user twice");
    assert_eq!(ids.len(), 450);
    assert!(
        unique.is_disjoint(&deprovisioned),
        "the plain list omits DEPROVISIONED"
    );
    for user in &listed {
        assert_eq!(Some(user), data.user(user["id"].as_str().unwrap()));
    }

    let search = format!(
        "{}/api/v1/users?search=status%20eq%20%22DEPROVISIONED%22&limit=200",
        sim.url()
    );
    let (found, _) = walk(&search, &ssws()).await;
    let found: BTreeSet<_> = found
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(found, deprovisioned.iter().map(|s| s.to_string()).collect());
    assert_eq!(sim.stats().path("/api/v1/users"), 4);
}

#[tokio::test]
async fn links_are_separate_absolute_and_keep_the_query() {
    let sim = Simulator::start(SimConfig::small().with_users(100))
        .await
        .unwrap();
    let first = format!(
        "{}/api/v1/users?search=status+eq+%22DEPROVISIONED%22&limit=2",
        sim.url()
    );
    let response = get(&first, &ssws()).await;
    assert_eq!(response.headers().get_all("link").iter().count(), 2);
    assert_eq!(link(&response, "self").unwrap(), first);
    let next = link(&response, "next").unwrap();
    assert!(
        next.starts_with(&format!("{}/api/v1/users?", sim.url())),
        "{next}"
    );
    let next_url = url::Url::parse(&next).unwrap();
    let query: Vec<(String, String)> = next_url.query_pairs().into_owned().collect();
    assert!(query.contains(&("limit".into(), "2".into())));
    assert!(query.contains(&("search".into(), "status eq \"DEPROVISIONED\"".into())));
    let page = body(response).await;
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert!(query.contains(&("after".into(), page[1]["id"].as_str().unwrap().into())));
}

#[tokio::test]
async fn limits_clamp_to_the_maximum_and_bad_searches_are_refused() {
    let sim = Simulator::start(SimConfig::small().with_users(300))
        .await
        .unwrap();
    let response = get(&format!("{}/api/v1/users?limit=1000", sim.url()), &ssws()).await;
    assert_eq!(body(response).await.as_array().unwrap().len(), 200);
    let response = get(&format!("{}/api/v1/users", sim.url()), &ssws()).await;
    assert_eq!(
        body(response).await.as_array().unwrap().len(),
        200,
        "default limit 200"
    );

    let response = get(
        &format!(
            "{}/api/v1/users?search=profile.city%20sw%20%22S%22",
            sim.url()
        ),
        &ssws(),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(body(response).await["errorCode"], "E0000031");
}

#[tokio::test]
async fn users_look_like_okta_users() {
    let sim = Simulator::start(SimConfig::small()).await.unwrap();
    let users = &sim.dataset().users;
    assert_eq!(users.len(), 250);
    let statuses: BTreeSet<_> = users
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    for status in [
        "ACTIVE",
        "STAGED",
        "PROVISIONED",
        "SUSPENDED",
        "DEPROVISIONED",
        "LOCKED_OUT",
    ] {
        assert!(statuses.contains(status), "{status}");
    }
    let mut total = 0;
    for user in users {
        let id = user["id"].as_str().unwrap();
        assert!(id.starts_with("00u") && id.len() == 20, "{id}");
        assert!(user["profile"]["login"].as_str().unwrap().contains('@'));
        assert!(user["created"].as_str().unwrap().ends_with(".000Z"));
        assert_eq!(
            user["_links"]["self"]["href"],
            format!("{}/api/v1/users/{id}", sim.url())
        );
        total += serde_json::to_vec(user).unwrap().len();
    }
    let average = total / users.len();
    assert!(
        (1_000..=1_500).contains(&average),
        "about 1–1.5 KB per user, got {average}"
    );
}

#[tokio::test]
async fn factors_are_served_per_user() {
    let sim = Simulator::start(SimConfig::small().with_users(60))
        .await
        .unwrap();
    let data = &sim.dataset();
    assert_eq!(data.factors.len(), 60, "an entry per user");
    assert!(data.factors.values().any(|f| f.len() >= 2));
    for (user, factors) in &data.factors {
        let response = get(
            &format!("{}/api/v1/users/{user}/factors", sim.url()),
            &ssws(),
        )
        .await;
        // As on a real org, a DEPROVISIONED user's factors are not found.
        if data.user(user).unwrap()["status"] == "DEPROVISIONED" {
            assert_eq!(response.status(), 404);
            assert_eq!(body(response).await["errorCode"], "E0000007");
            continue;
        }
        assert_eq!(response.status(), 200);
        assert!(response.headers().get("link").is_none(), "not paged");
        assert_eq!(&body(response).await, &serde_json::json!(factors));
    }
    assert_eq!(sim.stats().path("/api/v1/users/{id}/factors"), 60);

    let response = get(
        &format!("{}/api/v1/users/00unknown/factors", sim.url()),
        &ssws(),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_eq!(body(response).await["errorCode"], "E0000007");
}

#[tokio::test]
async fn every_response_carries_request_id_date_and_rate_limit_headers() {
    let sim = Simulator::start(SimConfig::small().with_users(5))
        .await
        .unwrap();
    for (url, auth) in [
        (format!("{}/api/v1/users", sim.url()), ssws()),
        (
            format!("{}/api/v1/users", sim.url()),
            "SSWS wrong".to_owned(),
        ),
        (format!("{}/api/v1/nothing", sim.url()), ssws()),
    ] {
        let response = get(&url, &auth).await;
        for name in [
            "x-okta-request-id",
            "date",
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
        ] {
            assert!(
                response.headers().contains_key(name),
                "{name} on {url} ({})",
                response.status()
            );
        }
        if !response.status().is_success() {
            let error = body(response).await;
            for field in [
                "errorCode",
                "errorSummary",
                "errorLink",
                "errorId",
                "errorCauses",
            ] {
                assert!(error.get(field).is_some(), "{field} in {error}");
            }
        }
    }
    let response = get(&format!("{}/api/v1/users", sim.url()), &ssws()).await;
    assert_eq!(
        header(&response, "x-rate-limit-limit"),
        okta_sim::DEFAULT_RATE_LIMIT.to_string()
    );
}

#[tokio::test]
async fn the_same_seed_generates_the_same_org() {
    let a = Simulator::start(SimConfig::small().with_seed(7))
        .await
        .unwrap();
    let b = Simulator::start(SimConfig::small().with_seed(7))
        .await
        .unwrap();
    let c = Simulator::start(SimConfig::small().with_seed(8))
        .await
        .unwrap();
    let without_links = |sim: &Simulator| {
        serde_json::to_string(&sim.dataset().users)
            .unwrap()
            .replace(&sim.url(), "")
    };
    assert_eq!(without_links(&a), without_links(&b));
    assert_ne!(without_links(&a), without_links(&c));
}
