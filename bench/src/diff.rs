//! The change feed's comparison at scale: two snapshots of N users, 1 % of them changed, a
//! few added and removed, and sign-ins moving `lastLogin` (noise) for 5 %. The comparison runs
//! in a child process (`diff-child`), so its CPU time and peak RSS are its own.
//!
//! ```text
//! cargo run --release -p okta-ingest-bench -- changes            # 100k users
//! cargo run --release -p okta-ingest-bench -- changes --full     # and 1M
//! ```

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flate2::Compression;
use flate2::write::GzEncoder;
use okta_ingest::changes;
use okta_ingest::resources;
use okta_ingest::store::{LocalStore, ObjectStore};
use serde_json::{Value, json};

use crate::measure;

/// Records per part, as a snapshot of that size would have them (parts close at 128 MiB).
const PER_PART: usize = 200_000;

/// The sizes compared, and whether each needs `--full`.
const SIZES: &[(usize, bool)] = &[(100_000, false), (1_000_000, true)];

/// Runs the comparison benchmark; prints one row per size.
pub fn run(full: bool) -> ExitCode {
    let template = template_user();
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>10} {:>12} {:>10}",
        "changes", "users", "changes", "wall", "cpu", "ms/1000", "peak MB"
    );
    for &(users, full_only) in SIZES {
        if full_only && !full {
            continue;
        }
        let dir = std::env::temp_dir().join(format!(
            "okta-ingest-bench-diff-{users}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let (before, after, expected) = write_snapshots(&dir, users, &template);
        let child = measure::run_child(&[
            "diff-child".to_owned(),
            dir.display().to_string(),
            "--before".to_owned(),
            before.join(","),
            "--after".to_owned(),
            after.join(","),
        ]);
        let (reply, wall, cpu) = (child.reply, child.wall, child.cpu);
        let found = reply["changes"].as_u64().unwrap_or(0) as usize;
        assert_eq!(
            found, expected,
            "the comparison finds exactly the changes made"
        );
        println!(
            "{:<14} {:>10} {:>9} {:>8.1}s {:>9.1}s {:>12.2} {:>10.1}",
            format!("diff-{}k", users / 1000),
            users,
            found,
            wall.as_secs_f64(),
            cpu.as_secs_f64(),
            cpu.as_secs_f64() * 1000.0 / (users as f64 * 2.0 / 1000.0),
            reply["peak_rss_kb"].as_u64().unwrap_or(0) as f64 / 1024.0
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "\nms/1000: CPU per 1,000 records read (both snapshots). peak MB: the comparison's own \
         peak RSS; its scratch files go to the temp folder."
    );
    ExitCode::SUCCESS
}

/// Child mode: `diff-child <dir> --before k1,k2 --after k3,k4` compares and prints its counts.
pub fn child(args: &[String]) -> ExitCode {
    let [dir, _, before, _, after] = args else {
        eprintln!("usage: diff-child <dir> --before keys --after keys");
        return ExitCode::from(2);
    };
    let split = |list: &str| list.split(',').map(str::to_owned).collect::<Vec<_>>();
    let (before, after) = (split(before), split(after));
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let found = runtime.block_on(async {
        let store = ObjectStore::Local(LocalStore::new(dir).expect("the folder"));
        let users = resources::find("users").expect("users");
        let scratch = PathBuf::from(dir).join("scratch");
        changes::differences(&store, users, &before, &after, &scratch)
            .await
            .expect("the comparison")
    });
    println!(
        "{}",
        json!({"changes": found.count, "peak_rss_kb": measure::own_peak_rss_kb()})
    );
    ExitCode::SUCCESS
}

/// A user as the simulator makes them, to copy.
fn template_user() -> Value {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let sim = okta_sim::Simulator::start(okta_sim::SimConfig::small())
            .await
            .expect("the simulator starts");
        sim.dataset().users[0].clone()
    })
}

/// Writes the two snapshots; returns their part keys and how many changes there are.
fn write_snapshots(
    dir: &Path,
    users: usize,
    template: &Value,
) -> (Vec<String>, Vec<String>, usize) {
    let user = |i: usize, title: &str, login: &str| {
        let mut u = template.clone();
        u["id"] = json!(format!("00u{i:017}"));
        u["profile"]["title"] = json!(title);
        u["lastLogin"] = json!(login);
        u
    };
    let mut expected = 0;
    let before = write_parts(
        dir,
        "before",
        (0..users).map(|i| user(i, "Engineer", "2026-12-01T00:00:00.000Z")),
    );
    let after = write_parts(
        dir,
        "after",
        (0..users + users / 1000).filter_map(|i| {
            if i >= users {
                expected += 1; // added
                return Some(user(i, "Engineer", "2026-12-01T00:00:00.000Z"));
            }
            if i % 1000 == 7 {
                expected += 1; // removed
                return None;
            }
            let title = if i % 100 == 3 {
                expected += 1; // modified
                "Staff Engineer"
            } else {
                "Engineer"
            };
            // Noise: a sign-in is not a change.
            let login = if i % 20 == 5 {
                "2026-12-02T09:00:00.000Z"
            } else {
                "2026-12-01T00:00:00.000Z"
            };
            Some(user(i, title, login))
        }),
    );
    (before, after, expected)
}

fn write_parts(dir: &Path, name: &str, users: impl Iterator<Item = Value>) -> Vec<String> {
    let mut keys = Vec::new();
    let mut open: Option<GzEncoder<BufWriter<std::fs::File>>> = None;
    for (i, user) in users.enumerate() {
        if i % PER_PART == 0 {
            if let Some(done) = open.take() {
                done.finish().expect("a part").flush().expect("a part");
            }
            let key = format!("users/{name}/part-{:05}.json.gz", keys.len());
            let path = dir.join(&key);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("the folder");
            let file = std::fs::File::create(&path).expect("a part file");
            open = Some(GzEncoder::new(BufWriter::new(file), Compression::fast()));
            keys.push(key);
        }
        let out = open.as_mut().expect("a part is open");
        serde_json::to_writer(&mut *out, &user).expect("a line");
        out.write_all(b"\n").expect("a line");
    }
    if let Some(done) = open.take() {
        done.finish().expect("a part").flush().expect("a part");
    }
    keys
}
