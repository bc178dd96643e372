//! CVSS base scores against the Python `cvss` package (Red Hat's reference library) on
//! generated vectors, and the specifications' own examples.

use std::io::Write;
use std::process::{Command, Stdio};

use gate_scan::cvss::base_score;
use test_support::in_ci;

use crate::Rng;

fn v2_vector(rng: &mut Rng) -> String {
    let mut v = format!(
        "AV:{}/AC:{}/Au:{}/C:{}/I:{}/A:{}",
        rng.pick(&["L", "A", "N"]),
        rng.pick(&["H", "M", "L"]),
        rng.pick(&["M", "S", "N"]),
        rng.pick(&["N", "P", "C"]),
        rng.pick(&["N", "P", "C"]),
        rng.pick(&["N", "P", "C"])
    );
    if rng.below(4) == 0 {
        v.push_str(&format!("/E:{}", rng.pick(&["U", "POC", "F", "H", "ND"])));
    }
    v
}

fn v3_vector(rng: &mut Rng) -> String {
    let mut v = format!(
        "CVSS:{}/AV:{}/AC:{}/PR:{}/UI:{}/S:{}/C:{}/I:{}/A:{}",
        rng.pick(&["3.0", "3.1"]),
        rng.pick(&["N", "A", "L", "P"]),
        rng.pick(&["L", "H"]),
        rng.pick(&["N", "L", "H"]),
        rng.pick(&["N", "R"]),
        rng.pick(&["U", "C"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"])
    );
    if rng.below(4) == 0 {
        v.push_str(&format!(
            "/E:{}/RL:{}",
            rng.pick(&["X", "H", "F", "P", "U"]),
            rng.pick(&["X", "U", "W", "T", "O"])
        ));
    }
    v
}

fn v4_vector(rng: &mut Rng) -> String {
    let mut v = format!(
        "CVSS:4.0/AV:{}/AC:{}/AT:{}/PR:{}/UI:{}/VC:{}/VI:{}/VA:{}/SC:{}/SI:{}/SA:{}",
        rng.pick(&["N", "A", "L", "P"]),
        rng.pick(&["L", "H"]),
        rng.pick(&["N", "P"]),
        rng.pick(&["N", "L", "H"]),
        rng.pick(&["N", "P", "A"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"]),
        rng.pick(&["H", "L", "N"])
    );
    if rng.below(3) == 0 {
        v.push_str(&format!("/E:{}", rng.pick(&["X", "A", "P", "U"])));
    }
    if rng.below(3) == 0 {
        v.push_str(&format!(
            "/CR:{}/IR:{}/AR:{}",
            rng.pick(&["X", "H", "M", "L"]),
            rng.pick(&["X", "H", "M", "L"]),
            rng.pick(&["X", "H", "M", "L"])
        ));
    }
    if rng.below(3) == 0 {
        v.push_str(&format!(
            "/MAV:{}/MVC:{}/MSI:{}/MSA:{}",
            rng.pick(&["X", "N", "A", "L", "P"]),
            rng.pick(&["X", "H", "L", "N"]),
            rng.pick(&["X", "S", "H", "L", "N"]),
            rng.pick(&["X", "S", "H", "L", "N"])
        ));
    }
    if rng.below(5) == 0 {
        v.push_str("/S:P/AU:Y/R:A/V:C/RE:H/U:Red");
    }
    v
}

const CVSS_SCRIPT: &str = r#"
import sys
from cvss import CVSS2, CVSS3, CVSS4
for line in sys.stdin:
    v = line.strip()
    try:
        if v.startswith("CVSS:4.0/"):
            s = CVSS4(v).base_score
        elif v.startswith("CVSS:3"):
            s = CVSS3(v).base_score
        else:
            s = CVSS2(v).base_score
        print("%.1f" % float(s))
    except Exception:
        print("invalid")
"#;

#[test]
fn base_scores_agree_with_python_cvss() {
    let mut found = None;
    for python in ["python3", "python"] {
        let ok = Command::new(python)
            .args(["-c", "import cvss"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            found = Some(python);
            break;
        }
    }
    let Some(python) = found else {
        assert!(
            !in_ci(),
            "Python package `cvss` is missing; .ci/run must `pip install cvss`"
        );
        eprintln!("skipping: Python package `cvss` is not installed (CI installs it)");
        return;
    };
    let mut rng = Rng::new(0x0063_7673);
    let mut vectors = Vec::new();
    for i in 0..6000 {
        vectors.push(match i % 4 {
            0 => v2_vector(&mut rng),
            1 => v3_vector(&mut rng),
            _ => v4_vector(&mut rng),
        });
    }
    let mut child = Command::new(python)
        .args(["-c", CVSS_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = vectors.iter().map(|v| format!("{v}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let answers: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(answers.len(), vectors.len());
    let mut disagreements = Vec::new();
    for (vector, theirs) in vectors.iter().zip(&answers) {
        let ours = match base_score(vector) {
            Ok(s) => format!("{s:.1}"),
            Err(_) => "invalid".to_owned(),
        };
        if &ours != theirs {
            disagreements.push(format!("{vector}: cvss says {theirs}, we say {ours}"));
        }
    }
    eprintln!(
        "cvss: {} vectors, {} disagreements",
        vectors.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} disagree:\n{}",
        disagreements.len(),
        vectors.len(),
        disagreements[..disagreements.len().min(30)].join("\n")
    );
}

#[test]
fn specification_examples() {
    // CVSS v3.1 specification examples (section 7 / the user guide).
    for (vector, score) in [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),
        ("(AV:L/AC:H/Au:N/C:C/I:C/A:C)", 6.2),
        // CVSS v4.0 (FIRST calculator).
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            9.3,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A",
            8.7,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
            0.0,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            10.0,
        ),
    ] {
        let got = base_score(vector).unwrap();
        assert!(
            (got - score).abs() < 1e-9,
            "{vector}: expected {score}, got {got}"
        );
    }
}

#[test]
fn invalid_vectors_are_errors() {
    for vector in [
        "",
        "CVSS:3.1/AV:N",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
        "CVSS:9.9/AV:N",
        "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
        "AV:N/AC:L/Au:N/C:P/I:P",
        "HIGH",
    ] {
        assert!(base_score(vector).is_err(), "accepted {vector:?}");
    }
    let message = base_score("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "invalid CVSS vector `CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`: `Q` is not a value of `AV`"
    );
}
