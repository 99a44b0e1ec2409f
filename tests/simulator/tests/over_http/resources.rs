//! Every inventory resource over HTTP equals the dataset: groups, apps, roles, policies, org,
//! devices and security settings; Classic orgs refuse what they lack; scopes are enforced.

use std::collections::BTreeSet;

use okta_sim::{Engine, OAuthClient, SimConfig, Simulator};
use serde_json::{Value, json};

use crate::helpers::{basic, body, get, header, link, ssws, token_request, walk};

async fn fetch(url: &str) -> Value {
    let response = get(url, &ssws()).await;
    assert_eq!(response.status(), 200, "{url}");
    assert!(link(&response, "next").is_none(), "{url} is not paged here");
    body(response).await
}

/// Follows `_links.next.href` in bodies; no `Link: next` header may appear.
async fn walk_body(first: &str, field: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut requests = 0;
    let mut url = Some(first.to_owned());
    while let Some(current) = url {
        let response = get(&current, &ssws()).await;
        assert_eq!(response.status(), 200, "{current}");
        assert!(
            link(&response, "next").is_none(),
            "body-paged: no next header"
        );
        requests += 1;
        let page = body(response).await;
        url = page["_links"]["next"]["href"].as_str().map(str::to_owned);
        items.extend(page[field].as_array().unwrap().iter().cloned());
    }
    (items, requests)
}

#[tokio::test]
async fn groups_members_and_rules_match_the_dataset() {
    let sim = Simulator::start(SimConfig::small().with_users(300).with_groups(30))
        .await
        .unwrap();
    let data = &sim.dataset();
    let url = sim.url();

    let (groups, _) = walk(
        &format!("{url}/api/v1/groups?expand=stats&limit=7"),
        &ssws(),
    )
    .await;
    let expected: Vec<Value> = data
        .groups
        .iter()
        .map(|g| data.group_with_stats(g))
        .collect();
    assert_eq!(groups, expected);
    let types: BTreeSet<_> = groups.iter().map(|g| g["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        BTreeSet::from(["APP_GROUP", "BUILT_IN", "OKTA_GROUP"])
    );
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["_embedded"]["stats"]["usersCount"].as_u64().unwrap())
        .collect();
    assert!(counts.contains(&0), "some group is empty");

    let mut paged_members = false;
    for group in &data.groups {
        let id = group["id"].as_str().unwrap();
        // Okta lists its built-in admins group but does not serve the members.
        if group["profile"]["name"] == "Okta Administrators" {
            assert_eq!(group["type"], "BUILT_IN");
            assert!(!data.serves_members(id));
            assert!(
                !data.group_members[id].is_empty(),
                "it has members all the same"
            );
            let refused = get(&format!("{url}/api/v1/groups/{id}/users"), &ssws()).await;
            assert_eq!(refused.status(), 403);
            assert_eq!(body(refused).await["errorCode"], "E0000006");
            continue;
        }
        let (members, requests) = walk(
            &format!("{url}/api/v1/groups/{id}/users?limit=100"),
            &ssws(),
        )
        .await;
        let want: Vec<&Value> = data.group_members[id]
            .iter()
            .map(|m| data.user(m).unwrap())
            .collect();
        assert_eq!(
            members.iter().collect::<Vec<_>>(),
            want,
            "{}",
            group["profile"]["name"]
        );
        paged_members |= requests > 1;
    }
    assert!(paged_members, "Everyone spans pages");
    assert_eq!(
        data.groups
            .iter()
            .filter(|g| !data.serves_members(g["id"].as_str().unwrap()))
            .count(),
        1,
        "one built-in admins group"
    );

    let (rules, _) = walk(&format!("{url}/api/v1/groups/rules?limit=2"), &ssws()).await;
    assert_eq!(rules, data.group_rules);
    assert!(rules.iter().all(|r| r["type"] == "group_rule"));
}

#[tokio::test]
async fn apps_and_their_users_groups_and_grants_match_the_dataset() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_users(400)
            .with_groups(40)
            .with_apps(30),
    )
    .await
    .unwrap();
    let data = &sim.dataset();
    let url = sim.url();

    let (apps, requests) = walk(&format!("{url}/api/v1/apps?limit=200"), &ssws()).await;
    assert_eq!(apps, data.apps);
    assert_eq!(requests, 1);
    let modes: BTreeSet<_> = apps
        .iter()
        .map(|a| a["signOnMode"].as_str().unwrap())
        .collect();
    for mode in [
        "SAML_2_0",
        "OPENID_CONNECT",
        "BOOKMARK",
        "BROWSER_PLUGIN",
        "AUTO_LOGIN",
        "WS_FEDERATION",
    ] {
        assert!(modes.contains(mode), "{mode}");
    }
    let mut any_users = false;
    for app in &apps {
        let id = app["id"].as_str().unwrap();
        let (users, _) = walk(&format!("{url}/api/v1/apps/{id}/users?limit=50"), &ssws()).await;
        assert_eq!(users, data.app_users[id]);
        any_users |= users.iter().any(|u| u["scope"] == "GROUP")
            && users.iter().any(|u| u["scope"] == "USER");
        let (groups, _) = walk(&format!("{url}/api/v1/apps/{id}/groups?limit=200"), &ssws()).await;
        assert_eq!(groups, data.app_groups[id]);
        let grants = fetch(&format!("{url}/api/v1/apps/{id}/grants")).await;
        match data.app_grants.get(id) {
            Some(want) => assert_eq!(&grants, &json!(want)),
            None => assert_eq!(grants, json!([])),
        }
    }
    assert!(any_users, "some app has both direct and group assignments");
    let service_grants = data
        .apps
        .iter()
        .filter(|a| a["settings"]["oauthClient"]["application_type"] == "service")
        .map(|a| data.app_grants[a["id"].as_str().unwrap()].len())
        .min()
        .unwrap();
    assert!(service_grants >= 3, "service apps hold API scopes");
}

#[tokio::test]
async fn roles_are_paged_in_the_body_and_match_the_dataset() {
    let config = SimConfig {
        admins: 9,
        custom_roles: 25,
        ..SimConfig::small()
    };
    let sim = Simulator::start(config).await.unwrap();
    let data = &sim.dataset();
    let url = sim.url();

    let (assignees, requests) = walk_body(
        &format!("{url}/api/v1/iam/assignees/users?limit=4"),
        "value",
    )
    .await;
    assert_eq!(assignees, data.role_assignees);
    assert_eq!(requests, 3);
    for assignee in &assignees {
        let id = assignee["id"].as_str().unwrap();
        let roles = fetch(&format!("{url}/api/v1/users/{id}/roles")).await;
        assert_eq!(roles, json!(data.user_roles[id]));
    }
    let all_roles: Vec<&Value> = data.user_roles.values().flatten().collect();
    assert!(all_roles.iter().any(|r| r["type"] == "SUPER_ADMIN"));
    assert!(
        all_roles
            .iter()
            .any(|r| r["type"] == "CUSTOM" && r["resource-set"].is_string())
    );
    let plain_user = data
        .users
        .iter()
        .find(|u| !data.user_roles.contains_key(u["id"].as_str().unwrap()))
        .unwrap();
    assert_eq!(
        fetch(&format!(
            "{url}/api/v1/users/{}/roles",
            plain_user["id"].as_str().unwrap()
        ))
        .await,
        json!([])
    );

    assert!(!data.group_roles.is_empty());
    for group in &data.groups {
        let id = group["id"].as_str().unwrap();
        let roles = fetch(&format!("{url}/api/v1/groups/{id}/roles")).await;
        assert_eq!(
            roles,
            json!(data.group_roles.get(id).cloned().unwrap_or_default())
        );
    }

    let (roles, requests) = walk_body(&format!("{url}/api/v1/iam/roles"), "roles").await;
    assert_eq!(roles, data.custom_roles);
    assert_eq!(requests, 2, "25 custom roles, 20 a page");
    for role in &roles {
        let id = role["id"].as_str().unwrap();
        let permissions = fetch(&format!("{url}/api/v1/iam/roles/{id}/permissions")).await;
        assert_eq!(
            permissions,
            json!({ "permissions": data.custom_role_permissions[id] })
        );
    }
    let (sets, _) = walk_body(&format!("{url}/api/v1/iam/resource-sets"), "resource-sets").await;
    assert_eq!(sets, data.resource_sets);
}

#[tokio::test]
async fn every_policy_type_has_policies_with_rules() {
    let sim = Simulator::start(SimConfig::small()).await.unwrap();
    let data = &sim.dataset();
    let url = sim.url();
    let types = [
        "OKTA_SIGN_ON",
        "PASSWORD",
        "MFA_ENROLL",
        "IDP_DISCOVERY",
        "ACCESS_POLICY",
        "PROFILE_ENROLLMENT",
        "POST_AUTH_SESSION",
        "ENTITY_RISK",
        "SESSION_VIOLATION_DETECTION",
        "CLIENT_UPDATE",
        "DEVICE_SIGNAL_COLLECTION",
        "IDENTITY_CLAIM_SOURCING",
    ];
    let mut seen = Vec::new();
    for kind in types {
        let policies = fetch(&format!("{url}/api/v1/policies?type={kind}")).await;
        let policies = policies.as_array().unwrap();
        assert_eq!(policies.len(), 2, "{kind}");
        assert!(policies.iter().all(|p| p["type"] == kind));
        assert_eq!(
            policies.last().unwrap()["system"],
            true,
            "the default comes last"
        );
        for policy in policies {
            let id = policy["id"].as_str().unwrap();
            let rules = fetch(&format!("{url}/api/v1/policies/{id}/rules")).await;
            assert!(rules.as_array().unwrap().len() >= 2);
            assert_eq!(rules, json!(data.policy_rules[id]));
        }
        seen.extend(policies.iter().cloned());
    }
    assert_eq!(seen, data.policies);

    let response = get(&format!("{url}/api/v1/policies"), &ssws()).await;
    assert_eq!(response.status(), 400);
    assert_eq!(body(response).await["errorCode"], "E0000028");
    let response = get(&format!("{url}/api/v1/policies?type=NOPE"), &ssws()).await;
    assert_eq!(body(response).await["errorCode"], "E0000001");
}

#[tokio::test]
async fn org_settings_domains_devices_and_security_match_the_dataset() {
    let sim = Simulator::start(SimConfig::small()).await.unwrap();
    let data = &sim.dataset();
    let url = sim.url();

    assert_eq!(fetch(&format!("{url}/api/v1/org")).await, data.org);
    for (path, setting) in &data.org_settings {
        assert_eq!(
            &fetch(&format!("{url}/api/v1/org{path}")).await,
            setting,
            "{path}"
        );
    }
    assert_eq!(data.org_settings.len(), 6);
    assert_eq!(
        fetch(&format!("{url}/api/v1/org/contacts")).await,
        json!(data.org_contacts)
    );
    assert_eq!(
        fetch(&format!("{url}/api/v1/domains")).await,
        json!({ "domains": data.domains })
    );

    let (devices, requests) = walk(
        &format!("{url}/api/v1/devices?limit=20&expand=user"),
        &ssws(),
    )
    .await;
    assert_eq!(requests, 3, "50 devices");
    let expected: Vec<Value> = data
        .devices
        .iter()
        .map(|d| data.device_with_users(d))
        .collect();
    assert_eq!(devices, expected);
    assert!(
        devices
            .iter()
            .any(|d| d["_embedded"]["users"][0]["user"]["id"].is_string())
    );

    let (idps, _) = walk(&format!("{url}/api/v1/idps?limit=200"), &ssws()).await;
    assert_eq!(idps, data.idps);
    let (zones, _) = walk(&format!("{url}/api/v1/zones"), &ssws()).await;
    assert_eq!(zones, data.network_zones);
    let names: BTreeSet<_> = zones.iter().map(|z| z["name"].as_str().unwrap()).collect();
    for default in [
        "LegacyIpZone",
        "BlockedIpZone",
        "DefaultEnhancedDynamicZone",
    ] {
        assert!(names.contains(default), "{default}");
    }
    assert_eq!(
        fetch(&format!("{url}/api/v1/threats/configuration")).await,
        data.threat_insight
    );
    assert_eq!(
        fetch(&format!("{url}/api/v1/behaviors")).await,
        json!(data.behaviors)
    );
}

#[tokio::test]
async fn classic_orgs_refuse_devices_and_identity_engine_policy_types() {
    let sim = Simulator::start(SimConfig::small().with_engine(Engine::Classic))
        .await
        .unwrap();
    let url = sim.url();
    assert!(sim.dataset().devices.is_empty());
    let response = get(&format!("{url}/api/v1/devices"), &ssws()).await;
    assert_eq!(response.status(), 401);
    assert_eq!(body(response).await["errorCode"], "E0000015");
    for kind in [
        "ACCESS_POLICY",
        "PROFILE_ENROLLMENT",
        "ENTITY_RISK",
        "IDENTITY_CLAIM_SOURCING",
    ] {
        let response = get(&format!("{url}/api/v1/policies?type={kind}"), &ssws()).await;
        assert_eq!(response.status(), 400, "{kind}");
        assert_eq!(body(response).await["errorCode"], "E0000001");
    }
    let response = get(&format!("{url}/api/v1/policies?type=PASSWORD"), &ssws()).await;
    assert_eq!(response.status(), 200);
    assert!(
        sim.dataset()
            .policies
            .iter()
            .all(|p| p["id"].as_str().unwrap().starts_with("00p"))
    );
}

#[tokio::test]
async fn each_endpoint_demands_its_own_scope() {
    let config = SimConfig::small()
        .with_client(OAuthClient::secret("0oa1", "s").with_scopes(&["okta.users.read"]));
    let sim = Simulator::start(config).await.unwrap();
    let response = token_request(
        &sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
        ],
        &[("authorization", &basic("0oa1", "s"))],
    )
    .await;
    let token = format!(
        "Bearer {}",
        body(response).await["access_token"].as_str().unwrap()
    );
    let user = sim.dataset().users[0]["id"].as_str().unwrap().to_owned();
    let app = sim.dataset().apps[0]["id"].as_str().unwrap().to_owned();
    for (path, scope) in [
        ("/api/v1/groups".to_owned(), "okta.groups.read"),
        (format!("/api/v1/users/{user}/roles"), "okta.roles.read"),
        (format!("/api/v1/apps/{app}/grants"), "okta.appGrants.read"),
        (
            "/api/v1/policies?type=PASSWORD".to_owned(),
            "okta.policies.read",
        ),
        ("/api/v1/domains".to_owned(), "okta.domains.read"),
        (
            "/api/v1/threats/configuration".to_owned(),
            "okta.threatInsights.read",
        ),
    ] {
        let response = get(&format!("{}{path}", sim.url()), &token).await;
        assert_eq!(response.status(), 403, "{path}");
        assert!(
            header(&response, "www-authenticate").contains(&format!("scope=\"{scope}\"")),
            "{path}"
        );
    }
    assert_eq!(
        get(
            &format!("{}/api/v1/users/{user}/factors", sim.url()),
            &token
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn the_demo_org_has_the_promised_fan_out() {
    let started = std::time::Instant::now();
    let sim = Simulator::start(SimConfig::demo()).await.unwrap();
    let data = &sim.dataset();
    eprintln!("demo org generated in {:?}", started.elapsed());
    assert_eq!(data.users.len(), 2_000);
    assert_eq!(data.groups.len(), 100);
    assert_eq!(data.apps.len(), 40);
    assert!(
        data.group_members
            .values()
            .filter(|m| !m.is_empty())
            .count()
            > 80
    );
    assert!(data.app_users.values().filter(|u| !u.is_empty()).count() > 25);
    assert!(data.app_grants.len() >= 8);
    let types: BTreeSet<_> = data
        .policies
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.len(), 12);
    assert!(data.policy_rules.values().all(|r| !r.is_empty()));
    assert_eq!(data.devices.len(), 600);
}
