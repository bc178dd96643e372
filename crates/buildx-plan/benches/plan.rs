//! Times one plan in-process against `node -e ''`, the floor of any JavaScript action
//! such as docker/metadata-action. Run with `cargo bench -p buildx-plan`; the goal is a
//! plan under 20 ms. Prints the times and their ratio; asserts nothing.
//!
//! `cargo test --all-targets` runs bench binaries without `--bench`: then this returns at
//! once.

#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use buildx_plan::{MetaInputs, PlanRequest, plan};

const RUNS: u32 = 200;
const NODE_RUNS: u32 = 20;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    fs_err::write(
        &event,
        r#"{"base_ref":"refs/heads/main","repository":{"default_branch":"main"}}"#,
    )
    .unwrap();
    let env: HashMap<String, String> = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REF", "refs/tags/v1.2.3"),
        ("GITHUB_SHA", "860c1904a1ce19322e91ac35af1ab07466440c37"),
        ("GITHUB_REPOSITORY", "octocat/hello-world"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ("SHIPGATE_NOW", "2026-11-23T10:00:00Z"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let request = PlanRequest {
        inputs: MetaInputs {
            images: "ghcr.io/octocat/hello-world\ndocker.io/octocat/hello".to_owned(),
            tags: "type=schedule\ntype=ref,event=branch\ntype=ref,event=pr\n\
                   type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\n\
                   type=sha\ntype=raw,value={{date 'YYYYMMDD' tz='Europe/Paris'}}"
                .to_owned(),
            flavor: "latest=auto".to_owned(),
            labels: "org.opencontainers.image.vendor=Octo".to_owned(),
            annotations: String::new(),
            annotation_levels: vec!["manifest".to_owned(), "index".to_owned()],
        },
        bake_target: "docker-metadata-action".to_owned(),
        build: buildx_plan::BuildSettings {
            platforms: vec!["linux/amd64".to_owned(), "linux/arm64".to_owned()],
            ..Default::default()
        },
        ..Default::default()
    };

    let start = Instant::now();
    for _ in 0..RUNS {
        let planned = plan(&request, &env, Path::new(".")).unwrap();
        assert!(!planned.meta.tags.is_empty());
    }
    let ours = start.elapsed() / RUNS;
    println!(
        "buildx-plan: {} per plan ({RUNS} runs, in-process)",
        show(ours)
    );

    let node = Command::new("node").args(["-e", ""]).output();
    if node.is_err() {
        println!("node: not on PATH, no comparison");
        return;
    }
    let start = Instant::now();
    for _ in 0..NODE_RUNS {
        Command::new("node").args(["-e", ""]).output().unwrap();
    }
    let floor = start.elapsed() / NODE_RUNS;
    println!("node -e '': {} per run ({NODE_RUNS} runs)", show(floor));
    println!(
        "ratio: a plan takes {:.4}x the time of starting Node.js; goal < 20 ms: {}",
        ours.as_secs_f64() / floor.as_secs_f64(),
        if ours < Duration::from_millis(20) {
            "met"
        } else {
            "missed"
        }
    );
}

fn show(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}
