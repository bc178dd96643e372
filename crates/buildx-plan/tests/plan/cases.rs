//! docker/metadata-action's documented behaviours, one table row per case, evaluated
//! through the library.

use buildx_plan::{Meta, MetaContext, MetaInputs, RepoMetadata, compute};

const SHA: &str = "860c1904a1ce19322e91ac35af1ab07466440c37";
/// 2020-01-10T00:30:00Z, the date of the action's own schedule fixtures.
const NOW: i64 = 1_578_616_200_000;

fn context(event: &str, git_ref: &str) -> MetaContext {
    MetaContext {
        event_name: event.to_owned(),
        ref_full: git_ref.to_owned(),
        sha: SHA.to_owned(),
        base_ref: String::new(),
        default_branch: Some("master".to_owned()),
        now: NOW,
        commit_date: NOW - 3_600_000,
        short_sha_length: 7,
        created: None,
    }
}

fn inputs(images: &str, tags: &str, flavor: &str) -> MetaInputs {
    MetaInputs {
        images: images.to_owned(),
        tags: tags.to_owned(),
        flavor: flavor.to_owned(),
        annotation_levels: vec!["manifest".to_owned()],
        ..MetaInputs::default()
    }
}

fn run(event: &str, git_ref: &str, images: &str, tags: &str, flavor: &str) -> Meta {
    compute(
        &inputs(images, tags, flavor),
        &context(event, git_ref),
        None,
    )
    .unwrap_or_else(|e| panic!("{tags}: {e}"))
}

const PUSH: &str = "push";
const MASTER: &str = "refs/heads/master";
const IMG: &str = "user/app";

/// (name, event, ref, images, tags, flavor, version, tags out)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const ROWS: &[Row] = &[
    // Default rules on each event.
    (
        "push default",
        PUSH,
        MASTER,
        IMG,
        "",
        "",
        "master",
        &["user/app:master"],
    ),
    (
        "push branch with slash",
        PUSH,
        "refs/heads/feature/foo#bar",
        IMG,
        "",
        "",
        "feature-foo-bar",
        &["user/app:feature-foo-bar"],
    ),
    (
        "tag default",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "",
        "",
        "v1.1.1",
        &["user/app:v1.1.1", "user/app:latest"],
    ),
    (
        "tag default pre-release is latest",
        PUSH,
        "refs/tags/v1.1.1-rc.1",
        IMG,
        "",
        "",
        "v1.1.1-rc.1",
        &["user/app:v1.1.1-rc.1", "user/app:latest"],
    ),
    (
        "pr default",
        "pull_request",
        "refs/pull/15/merge",
        IMG,
        "",
        "",
        "pr-15",
        &["user/app:pr-15"],
    ),
    (
        "pr head ref keeps /head",
        "pull_request",
        "refs/pull/15/head",
        IMG,
        "",
        "",
        "pr-15-head",
        &["user/app:pr-15-head"],
    ),
    (
        "schedule default",
        "schedule",
        MASTER,
        IMG,
        "",
        "",
        "nightly",
        &["user/app:nightly", "user/app:master"],
    ),
    (
        "schedule date pattern",
        "schedule",
        MASTER,
        IMG,
        "type=schedule,pattern={{date 'YYYYMMDD'}}",
        "",
        "20200110",
        &["user/app:20200110"],
    ),
    (
        "schedule date tz",
        "schedule",
        MASTER,
        IMG,
        "type=schedule,pattern={{date 'YYYYMMDD-HHmm' tz='Asia/Tokyo'}}",
        "",
        "20200110-0930",
        &["user/app:20200110-0930"],
    ),
    (
        "schedule only on schedule",
        PUSH,
        MASTER,
        IMG,
        "type=schedule",
        "",
        "",
        &[],
    ),
    (
        "release event tag",
        "release",
        "refs/tags/v1.1.1",
        IMG,
        "type=ref,event=tag",
        "",
        "v1.1.1",
        &["user/app:v1.1.1", "user/app:latest"],
    ),
    // semver
    (
        "semver patterns",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}",
        "",
        "1.1.1",
        &[
            "user/app:1.1.1",
            "user/app:1.1",
            "user/app:1",
            "user/app:latest",
        ],
    ),
    (
        "semver pre-release ignores the pattern",
        PUSH,
        "refs/tags/v2.0.8-beta.67",
        IMG,
        "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}",
        "",
        "2.0.8-beta.67",
        &["user/app:2.0.8-beta.67"],
    ),
    (
        "semver pre-release raw",
        PUSH,
        "refs/tags/v2.0.8-beta.67",
        IMG,
        "type=semver,pattern={{ raw }}",
        "",
        "v2.0.8-beta.67",
        &["user/app:v2.0.8-beta.67"],
    ),
    (
        "semver raw",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=semver,pattern={{raw}}",
        "",
        "v1.1.1",
        &["user/app:v1.1.1", "user/app:latest"],
    ),
    (
        "semver build metadata dropped",
        PUSH,
        "refs/tags/v1.1.1+build.3",
        IMG,
        "type=semver,pattern={{version}}",
        "",
        "1.1.1",
        &["user/app:1.1.1", "user/app:latest"],
    ),
    (
        "semver invalid tag skipped",
        PUSH,
        "refs/tags/release1",
        IMG,
        "type=semver,pattern={{version}}",
        "",
        "",
        &[],
    ),
    (
        "semver two-part tag invalid",
        PUSH,
        "refs/tags/v1.2",
        IMG,
        "type=semver,pattern={{version}}",
        "",
        "",
        &[],
    ),
    (
        "semver not on branches",
        PUSH,
        MASTER,
        IMG,
        "type=semver,pattern={{version}}",
        "",
        "",
        &[],
    ),
    (
        "semver value on a branch is latest",
        PUSH,
        MASTER,
        IMG,
        "type=semver,pattern={{version}},value=v1.2.3",
        "",
        "1.2.3",
        &["user/app:1.2.3", "user/app:latest"],
    ),
    (
        "semver match group 1",
        PUSH,
        "refs/tags/app/v1.2.3",
        IMG,
        "type=semver,pattern={{version}},match=v(\\d.\\d.\\d)$",
        "",
        "1.2.3",
        &["user/app:1.2.3", "user/app:latest"],
    ),
    (
        "semver slash before validation",
        PUSH,
        "refs/tags/1.2.3/x",
        IMG,
        "type=semver,pattern={{version}}",
        "",
        "1.2.3-x",
        &["user/app:1.2.3-x"],
    ),
    (
        "semver with prefix",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=semver,pattern={{version}},prefix=v",
        "",
        "v1.1.1",
        &["user/app:v1.1.1", "user/app:latest"],
    ),
    // pre-release channels (extension)
    (
        "channel on pre-release",
        PUSH,
        "refs/tags/v1.2.3-rc.4",
        IMG,
        "type=semver,pattern={{version}}\ntype=semver,pattern={{channel}}\ntype=semver,pattern={{major}}.{{minor}}-{{channel}}",
        "",
        "1.2.3-rc.4",
        &["user/app:1.2.3-rc.4", "user/app:rc", "user/app:1.2-rc"],
    ),
    (
        "channel rules skip releases",
        PUSH,
        "refs/tags/v1.2.3",
        IMG,
        "type=semver,pattern={{version}}\ntype=semver,pattern={{channel}}",
        "",
        "1.2.3",
        &["user/app:1.2.3", "user/app:latest"],
    ),
    // pep440
    (
        "pep440 release",
        PUSH,
        "refs/tags/v1.2.3",
        IMG,
        "type=pep440,pattern={{version}}\ntype=pep440,pattern={{major}}.{{minor}}",
        "",
        "1.2.3",
        &["user/app:1.2.3", "user/app:1.2", "user/app:latest"],
    ),
    (
        "pep440 pre-release normalised",
        PUSH,
        "refs/tags/1.1beta2",
        IMG,
        "type=pep440,pattern={{version}}\ntype=pep440,pattern={{major}}",
        "",
        "1.1b2",
        &["user/app:1.1b2"],
    ),
    (
        "pep440 post-release",
        PUSH,
        "refs/tags/1.2post1",
        IMG,
        "type=pep440,pattern={{version}}",
        "",
        "1.2.post1",
        &["user/app:1.2.post1"],
    ),
    (
        "pep440 dev raw",
        PUSH,
        "refs/tags/1.0dev4",
        IMG,
        "type=pep440,pattern={{raw}}",
        "",
        "1.0dev4",
        &["user/app:1.0dev4"],
    ),
    (
        "pep440 short release",
        PUSH,
        "refs/tags/2.0",
        IMG,
        "type=pep440,pattern={{major}}.{{minor}}.{{patch}}",
        "",
        "2.0.0",
        &["user/app:2.0.0", "user/app:latest"],
    ),
    (
        "pep440 local version",
        PUSH,
        "refs/tags/1.2.3+abc",
        IMG,
        "type=pep440,pattern={{version}}",
        "",
        "1.2.3-abc",
        &["user/app:1.2.3-abc", "user/app:latest"],
    ),
    // match
    (
        "match whole",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=match,pattern=\\d.\\d.\\d",
        "",
        "1.1.1",
        &["user/app:1.1.1", "user/app:latest"],
    ),
    (
        "match group",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=match,pattern=^v(\\d.\\d),group=1",
        "",
        "1.1",
        &["user/app:1.1", "user/app:latest"],
    ),
    (
        "match pre-release still latest",
        PUSH,
        "refs/tags/v2.0.0-rc.1",
        IMG,
        "type=match,pattern=v(.*),group=1",
        "",
        "2.0.0-rc.1",
        &["user/app:2.0.0-rc.1", "user/app:latest"],
    ),
    (
        "match no match",
        PUSH,
        "refs/tags/release",
        IMG,
        "type=match,pattern=v(\\d),group=1",
        "",
        "",
        &[],
    ),
    (
        "match regex literal with flags",
        PUSH,
        "refs/tags/V3",
        IMG,
        "type=match,pattern=/v(\\d)/i,group=1",
        "",
        "3",
        &["user/app:3", "user/app:latest"],
    ),
    (
        "match quoted comma",
        PUSH,
        "refs/tags/v12",
        IMG,
        "type=match,\"pattern=v(\\d{1,2})\",group=1",
        "",
        "12",
        &["user/app:12", "user/app:latest"],
    ),
    (
        "match value",
        PUSH,
        MASTER,
        IMG,
        "type=match,pattern=(\\d+),group=1,value=build-42",
        "",
        "42",
        &["user/app:42", "user/app:latest"],
    ),
    // edge
    (
        "edge default branch",
        PUSH,
        MASTER,
        IMG,
        "type=edge",
        "",
        "edge",
        &["user/app:edge"],
    ),
    (
        "edge named branch",
        PUSH,
        "refs/heads/dev",
        IMG,
        "type=edge,branch=dev",
        "",
        "edge",
        &["user/app:edge"],
    ),
    (
        "edge other branch",
        PUSH,
        "refs/heads/dev",
        IMG,
        "type=edge",
        "",
        "",
        &[],
    ),
    // raw, sha, ref
    (
        "raw",
        PUSH,
        MASTER,
        IMG,
        "type=raw,value=foo\nbar",
        "",
        "foo",
        &["user/app:foo", "user/app:bar"],
    ),
    (
        "raw expression",
        PUSH,
        MASTER,
        IMG,
        "type=raw,value={{branch}}-{{sha}}",
        "",
        "master-860c190",
        &["user/app:master-860c190"],
    ),
    (
        "raw latest on default branch",
        PUSH,
        MASTER,
        IMG,
        "type=raw,value=latest,enable={{is_default_branch}}\ntype=ref,event=branch",
        "",
        "master",
        &["user/app:master", "user/app:latest"],
    ),
    (
        "raw latest not on other branch",
        PUSH,
        "refs/heads/dev",
        IMG,
        "type=raw,value=latest,enable={{is_default_branch}}\ntype=ref,event=branch",
        "",
        "dev",
        &["user/app:dev"],
    ),
    (
        "is_default_branch false on tags",
        PUSH,
        "refs/tags/v1.0.0",
        IMG,
        "type=raw,value=stable,enable={{is_default_branch}}",
        "",
        "",
        &[],
    ),
    (
        "sha short",
        PUSH,
        MASTER,
        IMG,
        "type=sha",
        "",
        "sha-860c190",
        &["user/app:sha-860c190"],
    ),
    (
        "sha long no prefix",
        PUSH,
        MASTER,
        IMG,
        "type=sha,format=long,prefix=",
        "",
        SHA,
        &["user/app:860c1904a1ce19322e91ac35af1ab07466440c37"],
    ),
    (
        "ref branch on tag gives nothing",
        PUSH,
        "refs/tags/v1",
        IMG,
        "type=ref,event=branch",
        "",
        "",
        &[],
    ),
    (
        "enable false",
        PUSH,
        MASTER,
        IMG,
        "type=ref,event=branch,enable=false\ntype=sha",
        "",
        "sha-860c190",
        &["user/app:sha-860c190"],
    ),
    (
        "sha on pr",
        "pull_request",
        "refs/pull/15/merge",
        IMG,
        "type=ref,event=pr\ntype=sha",
        "",
        "pr-15",
        &["user/app:pr-15", "user/app:sha-860c190"],
    ),
    // priorities and latest decision
    (
        "priority puts raw first and decides latest",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=semver,pattern={{version}}\ntype=raw,value=foo,priority=2000",
        "",
        "foo",
        &["user/app:foo", "user/app:1.1.1"],
    ),
    (
        "sort by priority keeps ties",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=sha\ntype=ref,event=tag\ntype=raw,value=a\ntype=raw,value=b",
        "",
        "v1.1.1",
        &[
            "user/app:v1.1.1",
            "user/app:a",
            "user/app:b",
            "user/app:sha-860c190",
            "user/app:latest",
        ],
    ),
    (
        "duplicates removed",
        PUSH,
        MASTER,
        IMG,
        "type=raw,value=x\ntype=raw,value=y\ntype=raw,value=x\ntype=raw,value=y",
        "",
        "x",
        &["user/app:x", "user/app:y"],
    ),
    // flavors
    (
        "latest false",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=ref,event=tag",
        "latest=false",
        "v1.1.1",
        &["user/app:v1.1.1"],
    ),
    (
        "latest true on a branch",
        PUSH,
        MASTER,
        IMG,
        "type=ref,event=branch",
        "latest=true",
        "master",
        &["user/app:master", "user/app:latest"],
    ),
    (
        "flavor prefix and suffix",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=semver,pattern={{version}}",
        "prefix=foo-\nsuffix=-bar",
        "foo-1.1.1-bar",
        &["user/app:foo-1.1.1-bar", "user/app:latest"],
    ),
    (
        "flavor onlatest",
        PUSH,
        "refs/tags/v1.1.1",
        IMG,
        "type=semver,pattern={{version}}",
        "prefix=foo-,onlatest=true\nsuffix=-bar,onlatest=true",
        "foo-1.1.1-bar",
        &["user/app:foo-1.1.1-bar", "user/app:foo-latest-bar"],
    ),
    (
        "flavor prefix skipped on pr and sha, suffix kept",
        "pull_request",
        "refs/pull/15/merge",
        IMG,
        "type=ref,event=pr\ntype=sha",
        "prefix=foo-\nsuffix=-bar",
        "pr-15-bar",
        &["user/app:pr-15-bar", "user/app:sha-860c190-bar"],
    ),
    (
        "rule prefix overrides flavor",
        PUSH,
        MASTER,
        IMG,
        "type=ref,event=branch,prefix=",
        "prefix=foo-",
        "master",
        &["user/app:master"],
    ),
    (
        "flavor prefix expression",
        PUSH,
        MASTER,
        IMG,
        "type=sha",
        "prefix={{branch}}-",
        "sha-860c190",
        &["user/app:sha-860c190"],
    ),
    (
        "flavor expression reaches raw",
        PUSH,
        MASTER,
        IMG,
        "type=raw,value=x",
        "prefix={{branch}}-",
        "master-x",
        &["user/app:master-x"],
    ),
    // images
    (
        "several images",
        PUSH,
        "refs/tags/v1.0.0",
        "user/app\nghcr.io/User/App",
        "type=ref,event=tag",
        "",
        "v1.0.0",
        &[
            "user/app:v1.0.0",
            "user/app:latest",
            "ghcr.io/user/app:v1.0.0",
            "ghcr.io/user/app:latest",
        ],
    ),
    (
        "old comma image format",
        PUSH,
        MASTER,
        "user/app,ghcr.io/user/app",
        "",
        "",
        "master",
        &["user/app:master", "ghcr.io/user/app:master"],
    ),
    (
        "disabled image",
        PUSH,
        MASTER,
        "name=user/app,enable=false\nname=ghcr.io/user/app",
        "",
        "",
        "master",
        &["ghcr.io/user/app:master"],
    ),
    (
        "no image gives bare tags",
        PUSH,
        "refs/tags/v1.0.0",
        "",
        "type=ref,event=tag",
        "",
        "v1.0.0",
        &["v1.0.0", "latest"],
    ),
];

#[test]
fn documented_behaviours() {
    let mut failures = Vec::new();
    for (name, event, git_ref, images, tags, flavor, version, expected) in ROWS {
        let meta = run(event, git_ref, images, tags, flavor);
        let got_version = meta.version.main.clone().unwrap_or_default();
        if got_version != *version || meta.tags != *expected {
            failures.push(format!(
                "{name}: got version {got_version:?} tags {:?}, want {version:?} {expected:?}",
                meta.tags
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tag_names_and_warnings() {
    let meta = run(
        PUSH,
        "refs/tags/release",
        IMG,
        "type=semver,pattern={{version}}",
        "",
    );
    assert!(meta.tag_names.is_empty());
    insta::assert_snapshot!(meta.warnings.join("\n"), @r"
    tags line 1: `release` is not a valid semver, rule skipped
    No Docker image version has been generated. Check tags input.
    ");
    let meta = run(PUSH, "refs/tags/v1.0.0", "a/b\nc/d", "", "");
    assert_eq!(meta.tag_names, ["v1.0.0", "latest"]);
}

#[test]
fn expressions() {
    let mut ctx = context(PUSH, "refs/tags/v1.0.0");
    ctx.base_ref = "master".to_owned();
    let tags = "type=raw,value=b-{{base_ref}}\n\
                type=raw,value=t-{{tag}}\n\
                type=raw,value=br-{{branch}}x\n\
                type=raw,value={{is_not_default_branch}}\n\
                type=raw,value={{date 'YYYY-MM-DD HH:mm' tz='+02:00'}}\n\
                type=raw,value={{commit_date 'HHmm'}}\n\
                type=raw,value={{date YYYY}}\n\
                type=raw,value=a&b{{unknown}}";
    let meta = compute(&inputs(IMG, tags, ""), &ctx, None).unwrap();
    assert_eq!(
        meta.tag_names,
        [
            "b-master",
            "t-v1.0.0",
            "br-x",
            "true",
            "2020-01-10-02-30",
            "2330",
            "2020-01-10T00-30-00Z",
            "a-b"
        ]
    );
}

#[test]
fn short_sha_length() {
    let mut ctx = context(PUSH, MASTER);
    ctx.short_sha_length = 12;
    let meta = compute(
        &inputs(IMG, "type=sha\ntype=raw,value={{sha}}", ""),
        &ctx,
        None,
    )
    .unwrap();
    // raw (priority 200) sorts before sha (100).
    assert_eq!(meta.tag_names, ["860c1904a1ce", "sha-860c1904a1ce"]);
    ctx.short_sha_length = 100;
    let meta = compute(&inputs(IMG, "type=sha", ""), &ctx, None).unwrap();
    assert_eq!(meta.tag_names, [format!("sha-{SHA}")]);
}

#[test]
fn labels_and_annotations() {
    let repo = RepoMetadata {
        name: Some("Hello-World".to_owned()),
        description: Some("This your first repo! ${HOME}".to_owned()),
        html_url: Some("https://github.com/octocat/Hello-World".to_owned()),
        license: Some("MIT".to_owned()),
        default_branch: Some("master".to_owned()),
    };
    let mut input = inputs(IMG, "type=ref,event=tag", "");
    input.labels = "maintainer=CrazyMax\n\
                    Maintainer=Other\n\
                    org.opencontainers.image.title=MyCustomTitle\n\
                    org.opencontainers.image.description=Another description\n\
                    org.opencontainers.image.vendor=MyCompany\n\
                    branch={{branch}}\n\
                    no-equals-is-dropped\n\
                    a_=1\na1=2\nA2=3\n\
                    empty=\n\
                    url=https://x/?a=b"
        .to_owned();
    input.annotations = "org.opencontainers.image.description=Annotated".to_owned();
    input.annotation_levels = vec!["manifest".to_owned(), "index".to_owned()];
    let meta = compute(&input, &context(PUSH, "refs/tags/v1.0.0"), Some(&repo)).unwrap();
    insta::assert_json_snapshot!(
        "labels_and_annotations",
        serde_json::json!({
            "labels": meta.labels,
            "annotations": meta.annotations,
        })
    );

    // Without repository metadata the repository labels are left out.
    let meta = compute(&inputs(IMG, "", ""), &context(PUSH, MASTER), None).unwrap();
    let keys: Vec<&str> = meta.labels.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "org.opencontainers.image.created",
            "org.opencontainers.image.revision",
            "org.opencontainers.image.version"
        ]
    );
    assert_eq!(meta.labels[0].1, "2020-01-10T00:30:00.000Z");
}

#[test]
fn created_can_be_reproducible() {
    let mut ctx = context(PUSH, MASTER);
    ctx.created = Some(0);
    let meta = compute(&inputs(IMG, "", ""), &ctx, None).unwrap();
    assert_eq!(
        meta.labels[0],
        (
            "org.opencontainers.image.created".to_owned(),
            "1970-01-01T00:00:00.000Z".to_owned()
        )
    );
}

#[test]
fn bad_input_names_the_line() {
    let ctx = context(PUSH, MASTER);
    let cases = [
        (
            "tags",
            inputs(
                IMG,
                "type=sha\n\n# comment\ntype=semvr,pattern={{version}}",
                "",
            ),
        ),
        ("tags", inputs(IMG, "type=sha,patern=x", "")),
        (
            "tags",
            inputs(IMG, "type=raw,value=x,enable={{branch}}", ""),
        ),
        ("tags", inputs(IMG, "type=match,pattern=(?=x)", "")),
        ("tags", inputs(IMG, "type=match,pattern=v(", "")),
        (
            "tags",
            inputs(IMG, "type=match,pattern=v(\\d),group=one", ""),
        ),
        (
            "tags",
            inputs(IMG, "type=semver,pattern={{version}},match=v(", ""),
        ),
        ("tags", inputs(IMG, "type=semver,pattern={{versoin}}", "")),
        (
            "tags",
            inputs(IMG, "type=raw,value={{date 'YYYY' zone='UTC'}}", ""),
        ),
        (
            "tags",
            inputs(IMG, "type=raw,value={{date 'YYYY' tz='Mars/Base'}}", ""),
        ),
        ("flavor", inputs(IMG, "", "latest=auto\ncolour=red")),
        ("flavor", inputs(IMG, "", "latest=maybe")),
        ("images", inputs("a/b\nname=c/d,push=true", "", "")),
    ];
    let mut rendered = Vec::new();
    for (input, case) in cases {
        let error = compute(&case, &ctx, None).unwrap_err();
        assert_eq!(
            shipgate_core::exit::ExitStatus::exit(&error),
            shipgate_core::exit::Exit::BadInput
        );
        let text = shipgate_core::diagnostic::render(&error);
        assert!(text.contains(&format!("`{input}` line")), "{text}");
        rendered.push(text);
    }
    insta::assert_snapshot!("bad_input", rendered.join("\n"));
}
