//! The posture resources of #16 through the Lambda handlers: each lands whole against the
//! simulator with every scope granted, credentials the objects carry are never written, with
//! any one optional scope missing only that scope's resources are skipped, naming it, and a
//! run cut by deadlines carries the two-level fan-out on to one complete snapshot.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;

use okta_ingest::layout::RunId;
use okta_ingest::manifest::Status;
use okta_ingest::queue::WorkMessage;
use okta_ingest::resources::{self, Group};
use okta_ingest::tenant::TenantId;
use okta_ingest_tests::{TestOrg, TestQueue};
use okta_sim::{OAuthClient, READ_SCOPES, SimConfig};
use serde_json::{Value, json};

/// The groups that read posture resources.
const GROUPS: [&Group; 5] = [
    &resources::APPS,
    &resources::ROLES,
    &resources::POLICIES,
    &resources::ORG,
    &resources::SECURITY,
];

/// The lines of a resource's only run, which must be complete.
async fn lines(org: &TestOrg, resource: &str) -> Vec<Value> {
    let manifests = org.aws.manifests(resource, "acme").await;
    assert_eq!(manifests.len(), 1, "{resource}: one run");
    assert_eq!(manifests[0].status, Status::Complete, "{:?}", manifests[0]);
    org.aws.lines(&manifests[0]).await
}

/// The same objects, in any order, each exactly once.
fn assert_same(mut got: Vec<Value>, mut want: Vec<Value>, what: &str) {
    assert!(!want.is_empty(), "{what}: the simulator has some");
    let key = |v: &Value| v.to_string();
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got.len(), want.len(), "{what}: count");
    assert!(got == want, "{what}: objects differ");
}

/// Child lines grouped by their parent fields (removed again; two for a child of a child,
/// joined as `{grandparent}/{parent}`), against the simulator's map (parents without children
/// have no lines).
async fn assert_children(
    org: &TestOrg,
    resource: &str,
    fields: &[&str],
    want: &BTreeMap<String, Vec<Value>>,
) {
    let mut got: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for mut line in lines(org, resource).await {
        let parent: Vec<String> = fields
            .iter()
            .map(|field| {
                let value = line
                    .as_object_mut()
                    .unwrap()
                    .remove(*field)
                    .unwrap_or_else(|| panic!("{resource}: a line without {field}"));
                value.as_str().unwrap().to_owned()
            })
            .collect();
        got.entry(parent.join("/")).or_default().push(line);
    }
    let want: BTreeMap<&String, &Vec<Value>> = want.iter().filter(|(_, v)| !v.is_empty()).collect();
    assert!(!want.is_empty(), "{resource}: the simulator has some");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().copied().collect::<Vec<_>>(),
        "{resource}: parents"
    );
    for (parent, lines) in got {
        assert_same(
            lines,
            want[&parent].clone(),
            &format!("{resource} of {parent}"),
        );
    }
}

/// `objects` without the fields at these JSON pointers (a `*` segment: every array element).
fn without(objects: &[Value], fields: &[&str]) -> Vec<Value> {
    fn remove(value: &mut Value, path: &[&str]) {
        match path {
            [] => {}
            [last] => {
                if let Some(object) = value.as_object_mut() {
                    object.remove(*last);
                }
            }
            ["*", rest @ ..] => {
                for element in value.as_array_mut().into_iter().flatten() {
                    remove(element, rest);
                }
            }
            [first, rest @ ..] => {
                if let Some(inner) = value.get_mut(*first) {
                    remove(inner, rest);
                }
            }
        }
    }
    objects
        .iter()
        .cloned()
        .map(|mut object| {
            for field in fields {
                let path: Vec<&str> = field.trim_start_matches('/').split('/').collect();
                remove(&mut object, &path);
            }
            object
        })
        .collect()
}

#[tokio::test]
async fn every_posture_resource_lands_whole_and_without_credentials() {
    let org = TestOrg::start(SimConfig::small()).await;
    let mut requests = BTreeMap::new();
    for group in GROUPS {
        let summary = org.run(group).await;
        for r in &summary.tenants[0].resources {
            assert_eq!(r.status, Status::Complete, "{r:?}");
            requests.insert(r.resource.clone(), r.requests.requests);
        }
    }
    let data = &org.sim.dataset();

    assert_same(
        lines(&org, "api_tokens").await,
        data.api_tokens.clone(),
        "api_tokens",
    );
    assert_same(
        lines(&org, "authenticators").await,
        data.authenticators.clone(),
        "authenticators",
    );
    assert_children(
        &org,
        "authenticator_methods",
        &["authenticatorId"],
        &data.authenticator_methods,
    )
    .await;
    assert_same(
        lines(&org, "authorization_servers").await,
        data.authorization_servers.clone(),
        "authorization_servers",
    );
    for (resource, want) in [
        (
            "authorization_server_policies",
            &data.authorization_server_policies,
        ),
        (
            "authorization_server_scopes",
            &data.authorization_server_scopes,
        ),
        (
            "authorization_server_claims",
            &data.authorization_server_claims,
        ),
    ] {
        assert_children(&org, resource, &["authServerId"], want).await;
    }
    assert_same(
        lines(&org, "trusted_origins").await,
        data.trusted_origins.clone(),
        "trusted_origins",
    );
    assert_same(
        lines(&org, "api_service_integrations").await,
        data.api_service_integrations.clone(),
        "api_service_integrations",
    );
    let contacts: BTreeMap<String, Vec<Value>> = data
        .org_contact_users
        .iter()
        .map(|(kind, user)| (kind.clone(), vec![user.clone()]))
        .collect();
    assert_children(&org, "org_contact_users", &["contactType"], &contacts).await;

    // Admin roles and how they are scoped.
    assert_children(&org, "service_app_roles", &["clientId"], &data.client_roles).await;
    let targets = |roles: &BTreeMap<String, Vec<Value>>| -> BTreeMap<String, Vec<Value>> {
        roles
            .iter()
            .map(|(holder, held)| {
                let expanded = ["targets/groups", "targets/catalog/apps"]
                    .iter()
                    .flat_map(|expand| held.iter().map(|r| data.role_with_targets(r, expand)))
                    .collect();
                (holder.clone(), expanded)
            })
            .collect()
    };
    assert_children(
        &org,
        "user_role_targets",
        &["userId"],
        &targets(&data.user_roles),
    )
    .await;
    assert_children(
        &org,
        "group_role_targets",
        &["groupId"],
        &targets(&data.group_roles),
    )
    .await;
    let scoped = lines(&org, "user_role_targets")
        .await
        .iter()
        .filter(|r| r.pointer("/_embedded/targets").is_some())
        .count();
    assert!(scoped > 0, "some roles have targets");
    assert_children(
        &org,
        "resource_set_resources",
        &["resourceSetId"],
        &data.resource_set_resources,
    )
    .await;
    assert_children(
        &org,
        "resource_set_bindings",
        &["resourceSetId"],
        &data.resource_set_bindings,
    )
    .await;

    // Two levels down: each binding's members, and each policy's rules under its own server.
    assert_children(
        &org,
        "resource_set_binding_members",
        &["resourceSetId", "roleId"],
        &data.resource_set_binding_members,
    )
    .await;
    let rules: BTreeMap<String, Vec<Value>> = data
        .authorization_server_policies
        .iter()
        .flat_map(|(server, policies)| {
            policies.iter().map(move |p| {
                let policy = p["id"].as_str().unwrap();
                (
                    format!("{server}/{policy}"),
                    data.authorization_server_policy_rules[policy].clone(),
                )
            })
        })
        .collect();
    assert_children(
        &org,
        "authorization_server_policy_rules",
        &["authServerId", "policyId"],
        &rules,
    )
    .await;

    // Credentials of the receiving services are never written, whatever the PII settings.
    let hook_secrets = [
        "/channel/config/authScheme/value",
        "/channel/config/headers/*/value",
    ];
    assert_same(
        lines(&org, "event_hooks").await,
        without(&data.event_hooks, &hook_secrets),
        "event_hooks",
    );
    assert_same(
        lines(&org, "inline_hooks").await,
        without(&data.inline_hooks, &hook_secrets),
        "inline_hooks",
    );
    assert_same(
        lines(&org, "log_streams").await,
        without(&data.log_streams, &["/settings/token"]),
        "log_streams",
    );
    let written: String = org
        .aws
        .objects()
        .await
        .iter()
        // Every data part (state and manifests are not parts; nor do they hold records).
        .filter(|(key, _)| key.ends_with(".json.gz"))
        .flat_map(|(_, body)| okta_ingest_tests::gunzip_lines(body))
        .map(|line| line.to_string())
        .collect();
    let secrets = data
        .event_hooks
        .iter()
        .chain(&data.inline_hooks)
        .map(|h| h["channel"]["config"]["authScheme"]["value"].clone())
        .chain(
            data.log_streams
                .iter()
                .map(|s| s["settings"]["token"].clone()),
        )
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect::<Vec<_>>();
    assert_eq!(secrets.len(), 6, "each hook and the Splunk stream have one");
    for secret in &secrets {
        assert!(
            !written.contains(secret.as_str()),
            "a credential was written"
        );
    }

    // Fan-out only where there is something to ask: service apps, and each parent once.
    let service_apps = data
        .apps
        .iter()
        .filter(|a| a["settings"]["oauthClient"]["application_type"] == "service")
        .count();
    assert_eq!(requests["service_app_roles"], service_apps as u64);
    assert_eq!(
        requests["user_role_targets"],
        2 * data.role_assignees.len() as u64,
        "two listings per assignee"
    );
    assert_eq!(
        requests["authenticator_methods"],
        data.authenticators.len() as u64
    );
    let policies: usize = data
        .authorization_server_policies
        .values()
        .map(Vec::len)
        .sum();
    assert_eq!(
        requests["authorization_server_policy_rules"],
        policies as u64
    );
}

#[tokio::test]
async fn without_one_optional_scope_only_its_resources_are_skipped_each_naming_it() {
    let optional: Vec<&str> = READ_SCOPES
        .iter()
        .copied()
        .filter(|s| !resources::INTEGRATION_SCOPES.contains(s))
        .collect();
    assert_eq!(optional.len(), 8);
    for missing in optional {
        let granted: Vec<&str> = READ_SCOPES
            .iter()
            .copied()
            .filter(|s| *s != missing)
            .collect();
        let org = TestOrg::with_auth(
            SimConfig::small().with_users(20).with_client(
                OAuthClient::secret("0oa-app", "app-secret-value").with_scopes(&granted),
            ),
            json!({"type": "oauth2", "client_id": "0oa-app", "client_secret": "app-secret-value"}),
        )
        .await;
        let mut skipped = Vec::new();
        for group in GROUPS {
            let summary = org.run(group).await;
            assert_eq!(
                summary.tenants[0].status,
                Status::Complete,
                "{missing}: a skip is not a failure"
            );
            for r in &summary.tenants[0].resources {
                let resource = resources::find(&r.resource).unwrap();
                if resource.scopes().contains(&missing) {
                    assert_eq!(r.status, Status::Skipped, "{missing}: {r:?}");
                    assert!(
                        r.reason.as_deref().unwrap().contains(missing),
                        "{missing}: {r:?}"
                    );
                    skipped.push(r.resource.clone());
                } else {
                    assert_eq!(r.status, Status::Complete, "{missing}: {r:?}");
                }
            }
        }
        assert!(!skipped.is_empty(), "{missing} reads something");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cut_by_deadlines_carries_two_levels_on_to_one_complete_snapshot() {
    // Slow enough (700 ms a call) that each 3 s invocation, stopping about 1 s in, gets a
    // round or two of requests: the policies and the authorization servers' tree (servers →
    // policies → rules) span several invocations, stopping between levels.
    let mut org = TestOrg::start(SimConfig::small().with_latency(Duration::from_millis(700))).await;
    let queue = TestQueue::new(3, 10).await;
    org.rt.queue = Some(queue.work_queue().await);
    let first = WorkMessage {
        tenant: TenantId::parse("acme").expect("a tenant id"),
        group: "policies".into(),
        dispatch: RunId::new(Utc::now()),
        scheduled_at: Utc::now(),
        continues: None,
    };
    queue
        .work_queue()
        .await
        .send(&first, Duration::ZERO)
        .await
        .expect("send");
    let deliveries = queue
        .drain(&org.rt, &resources::POLICIES, Duration::from_secs(3))
        .await;
    assert!(
        deliveries
            .iter()
            .all(|d| d.reply.sqs.batch_item_failures.is_empty()),
        "{deliveries:?}"
    );
    assert!(
        deliveries.len() >= 3,
        "carried on: {} invocations",
        deliveries.len()
    );

    // Each resource complete, each record once: what the continuations read is what was left.
    let data = &org.sim.dataset();
    let rules = lines(&org, "authorization_server_policy_rules").await;
    let ids: std::collections::BTreeSet<&str> =
        rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let want: usize = data
        .authorization_server_policy_rules
        .values()
        .map(Vec::len)
        .sum();
    assert_eq!((rules.len(), ids.len()), (want, want), "every rule once");
    for resource in [
        "policies",
        "policy_rules",
        "authorization_servers",
        "authorization_server_policies",
        "authorization_server_scopes",
        "authorization_server_claims",
    ] {
        let manifests = org.aws.manifests(resource, "acme").await;
        assert_eq!(manifests.len(), 1, "{resource}: one run");
        assert_eq!(manifests[0].status, Status::Complete, "{:?}", manifests[0]);
    }
    println!(
        "two levels carried on: {} rules in {} invocations of one run",
        rules.len(),
        deliveries.len()
    );
}
