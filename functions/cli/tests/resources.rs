//! `okta-ingest run --resources` as a new user tries it: a resource's name reads that resource
//! alone, a child still reads its parent's ids without writing the parent, a group is named
//! by its function, and `--help` says which is which.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use okta_sim::{SimConfig, Simulator};

async fn run(sim: &Simulator, dir: &Path, resources: &str) -> Output {
    common::run(sim, dir, &["--resources", resources], &[]).await
}

/// The resources with a manifest under `dir/out`.
fn written(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("out/_manifests"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resource_name_reads_that_resource_and_a_function_name_its_group() {
    let sim = Simulator::start(SimConfig::small().with_users(30))
        .await
        .unwrap();
    let root = std::env::temp_dir().join(format!("okta-ingest-select-{}", std::process::id()));
    let factor_calls = || sim.stats().path("/api/v1/users/{id}/factors");

    let users = run(&sim, &root.join("users"), "users").await;
    assert!(
        users.status.success(),
        "{}",
        String::from_utf8_lossy(&users.stderr)
    );
    assert_eq!(written(&root.join("users")), vec!["users"]);
    assert_eq!(factor_calls(), 0, "users alone asks for no factors");

    let factors = run(&sim, &root.join("factors"), "user_factors").await;
    assert!(
        factors.status.success(),
        "{}",
        String::from_utf8_lossy(&factors.stderr)
    );
    assert_eq!(
        written(&root.join("factors")),
        vec!["user_factors"],
        "the users are read, not written"
    );
    assert!(factor_calls() > 0);

    let group = run(&sim, &root.join("group"), "okta-users").await;
    assert!(
        group.status.success(),
        "{}",
        String::from_utf8_lossy(&group.stderr)
    );
    assert_eq!(written(&root.join("group")), vec!["user_factors", "users"]);

    let bare = run(&sim, &root.join("bare"), "roles").await;
    assert_eq!(bare.status.code(), Some(2));
    let error = String::from_utf8_lossy(&bare.stderr);
    assert!(
        error.contains("okta-roles"),
        "names the group's spelling: {error}"
    );
    assert!(written(&root.join("bare")).is_empty());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn help_says_which_words_are_resources_and_which_are_groups() {
    let help = Command::new(env!("CARGO_BIN_EXE_okta-ingest"))
        .args(["run", "--help"])
        .output()
        .expect("okta-ingest runs");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    assert!(text.contains("okta-users: users, user_factors"), "{text}");
    assert!(text.contains("okta-security: "), "{text}");
    assert!(text.contains("a resource's name"), "{text}");
}
