//! PEP 440 normalisation checked against Python's `packaging`.

use std::process::Command;

#[test]
fn normalisation_agrees_with_packaging() {
    let Some(python) = test_support::require_tool("python3") else {
        return;
    };
    let versions = [
        "1.2.3",
        "v1.2.3",
        "1.1beta2",
        "1.2post1",
        "1.0dev4",
        "1.0-1",
        "1.0.RC",
        "1.0c1",
        "1!2.0a1.post2.dev3+Ubuntu-1_2",
        "0!01.002",
        "1.0preview4",
        "1.0-r4",
        "1.0.0-dev",
        "1.2.3+abc",
        "2.0.0a",
        "1.0.post",
        "1.0_rc_3",
        "1.0alpha.1",
        "2013.10",
        "1.0.0.0.1",
        "1.2.x",
        "a1.0",
        "1.0+",
        "1.0-",
        "",
    ];
    let script = "import sys\nfrom packaging.version import Version, InvalidVersion\nfor line in sys.stdin.read().split('\\n'):\n    try:\n        print(str(Version(line)))\n    except InvalidVersion:\n        print('INVALID')\n";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(versions.join("\n").as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    if !output.status.success() {
        // packaging missing: nothing to compare against.
        assert!(
            !test_support::in_ci(),
            "python3 -c 'import packaging' failed"
        );
        return;
    }
    let expected: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(expected.len(), versions.len());
    for (version, python) in versions.iter().zip(expected) {
        let ours = buildx_plan::pep440_normalize(version).unwrap_or_else(|| "INVALID".to_owned());
        assert_eq!(ours, python, "{version:?}");
    }
}
