//! Every diagnostic code the spec loader emits, with what it means. `docs/diagnostics.md`
//! is generated from this table, and a test checks that no code is emitted without an
//! entry here.

/// `(code, pass, meaning)` for every spec diagnostic.
pub const DIAGNOSTIC_CODES: &[(&str, &str, &str)] = &[
    (
        "yaml-syntax",
        "syntax",
        "The file is not valid YAML: bad indentation or quoting, a tab, an unclosed bracket, a duplicate key, several documents.",
    ),
    (
        "wrong-type",
        "schema",
        "A value has the wrong type: a string where a list is expected, a quoted `\"true\"` where a boolean is, an empty section.",
    ),
    (
        "unknown-key",
        "schema",
        "A key the spec does not define; the closest known key is suggested.",
    ),
    (
        "missing-key",
        "schema",
        "A required key is absent (`version`, `image`, an environment's `name` or `on`).",
    ),
    (
        "invalid-value",
        "schema",
        "A value outside its allowed set (`fail-on: hihg`) or pattern (environment names).",
    ),
    ("out-of-range", "schema", "A number outside its range."),
    (
        "empty-value",
        "schema/semantic",
        "A list or string that must not be empty.",
    ),
    (
        "missing-image-name",
        "semantic",
        "`image` has neither `name` nor `names`.",
    ),
    (
        "name-and-names",
        "semantic",
        "`image` has both `name` and `names`.",
    ),
    (
        "invalid-image-name",
        "semantic",
        "An image repository that Docker's reference grammar rejects: upper case, a tag or digest where only a repository belongs, bad characters.",
    ),
    (
        "missing-file",
        "semantic",
        "A referenced file or directory does not exist (context, Dockerfile, ignore file, VEX document, chart).",
    ),
    (
        "unknown-platform",
        "semantic",
        "A platform buildx does not know, e.g. `linux/amd46`.",
    ),
    (
        "duplicate",
        "semantic",
        "The same platform, image name, environment or provider listed twice.",
    ),
    (
        "invalid-tag-rule",
        "semantic",
        "A tag rule docker/metadata-action would reject: unknown `type`, missing `pattern`, `value` or `event`.",
    ),
    (
        "invalid-flavor",
        "semantic",
        "A flavor entry docker/metadata-action would reject.",
    ),
    (
        "attestation-needs-sign",
        "semantic",
        "`sbom.attach: attestation` without a `sign` section.",
    ),
    (
        "sign-keyless-and-key",
        "semantic",
        "`sign` sets both `keyless: true` and `key`.",
    ),
    (
        "sign-method-missing",
        "semantic",
        "`sign` sets neither `keyless: true` nor `key`.",
    ),
    (
        "invalid-key-reference",
        "semantic",
        "A signing key reference that is not `env://VAR`, a KMS URI or a path.",
    ),
    (
        "invalid-url",
        "semantic",
        "A URL that must be http(s) (Fulcio, Rekor, an OIDC issuer).",
    ),
    (
        "invalid-branch",
        "semantic",
        "A default branch name git would reject.",
    ),
    (
        "invalid-trigger",
        "semantic",
        "An environment's branch or tag glob git would reject.",
    ),
    (
        "trigger-ambiguous",
        "semantic",
        "An environment triggers on both a branch and a tag.",
    ),
    (
        "trigger-missing",
        "semantic",
        "An environment has an empty `on`.",
    ),
    (
        "unknown-environment",
        "semantic",
        "An environment `needs` one that is not defined.",
    ),
    (
        "invalid-build-arg",
        "semantic",
        "A build argument whose name has `=` or whitespace, or whose value spans several lines.",
    ),
    (
        "invalid-secret-id",
        "semantic",
        "A build secret id that cannot name a CI secret (it must start with a letter; the secret name cannot start with `GITHUB_`).",
    ),
    (
        "needs-never-runs",
        "semantic",
        "An environment needs one whose trigger never matches in the same pipeline (e.g. a tag deploy needing a branch deploy).",
    ),
    (
        "needs-cycle",
        "semantic",
        "Environments that need each other in a cycle.",
    ),
    (
        "schema",
        "schema",
        "The spec passed the schema but could not be read into the model (a bug: please report it).",
    ),
];
