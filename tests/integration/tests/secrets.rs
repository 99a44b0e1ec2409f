//! Secrets never leak: a broken secret, a wrong field and a revoked token each fail their
//! tenant alone, and none of their values reaches a summary, a log line (every `tracing` event
//! and span at TRACE) or an object in S3. Alone in its test binary so that the log capture
//! sees every span (see `LogCapture`).

use okta_ingest::manifest::Status;
use okta_ingest::resources::USERS;
use okta_ingest_tests::{LogCapture, TestAws, invoke, scheduled_event, secret, test_options};
use okta_sim::{SimConfig, Simulator};
use serde_json::json;

const TOKEN: &str = okta_sim::API_TOKEN;

#[tokio::test(flavor = "current_thread")]
async fn a_broken_secret_fails_its_tenant_only_and_no_secret_is_ever_logged_or_written() {
    let (logs, _guard) = LogCapture::start();
    let sim = Simulator::start(SimConfig::small().with_users(30))
        .await
        .unwrap();
    let aws = TestAws::new().await;
    let good = secret(&sim.url(), json!({"type": "ssws", "token": TOKEN}));
    aws.put_tenant("good", &good).await;
    aws.put_tenant(
        "not-json",
        "{\"org_url\": \"x\", \"auth\": {\"type\": \"ssws\", \"token\": \"tok-SECRET-1\"",
    )
    .await;
    aws.put_tenant(
        "wrong-field",
        &secret(
            &sim.url(),
            json!({"type": "ssws", "token": 7777777777123_u64, "tokn": "tok-SECRET-2"}),
        ),
    )
    .await;
    aws.put_tenant(
        "revoked",
        &secret(
            &sim.url(),
            json!({"type": "ssws", "token": "tok-SECRET-3-revoked"}),
        ),
    )
    .await;
    let summary = invoke(
        &aws.runtime(test_options()).await,
        &USERS,
        scheduled_event(),
    )
    .await;

    let by = |t: &str| summary.tenants.iter().find(|s| s.tenant == t).unwrap();
    assert_eq!(by("good").status, Status::Complete);
    let not_json = by("not-json").error.as_deref().unwrap();
    assert!(
        not_json.contains("okta-ingest-test") && not_json.contains("not valid JSON"),
        "{not_json}"
    );
    let wrong = by("wrong-field").error.as_deref().unwrap();
    assert!(
        wrong.contains("auth.token") && wrong.contains("must be a string"),
        "{wrong}"
    );
    let revoked = by("revoked");
    assert_eq!(revoked.status, Status::Failed);
    let reason = revoked.resources[0].reason.as_deref().unwrap();
    assert!(reason.contains("rejected the credentials"), "{reason}");

    let secrets = [TOKEN, "tok-SECRET", "7777777777123"];
    let summary_json = serde_json::to_string(&summary).unwrap();
    let log_text = logs.text();
    assert!(
        log_text.contains("tenant configuration rejected"),
        "logs were captured"
    );
    // Every line of a tenant's run says which function, tenant and run it belongs to.
    let rejected = log_text
        .lines()
        .find(|l| l.contains("tenant configuration rejected"))
        .unwrap();
    for field in ["function=okta-users", "tenant{tenant=", "run_id="] {
        assert!(rejected.contains(field), "{field} in {rejected}");
    }
    assert!(
        log_text
            .lines()
            .any(|l| l.contains("resource=\"users\"") && l.contains("tenant=revoked")),
        "resource lines carry the resource"
    );
    for s in secrets {
        assert!(!summary_json.contains(s), "summary leaks {s}");
        assert!(!log_text.contains(s), "logs leak {s}");
        for (key, body) in aws.objects().await {
            assert!(
                !String::from_utf8_lossy(&body).contains(s),
                "{key} leaks {s}"
            );
        }
    }
}
