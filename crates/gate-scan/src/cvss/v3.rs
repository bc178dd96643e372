//! CVSS v3.0 and v3.1 base scores (specification section 7.1 and Appendix A `Roundup`).

use super::{Error, error, metrics};

/// v3.1 `Roundup`: the smallest number with one decimal that is ≥ the input, computed on
/// integers to avoid floating-point artefacts.
fn roundup_31(value: f64) -> f64 {
    let int_input = (value * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) as f64 + 1.0) / 10.0
    }
}

/// v3.0 round-up: `ceil(x * 10) / 10`.
fn roundup_30(value: f64) -> f64 {
    (value * 10.0).ceil() / 10.0
}

/// The base score of a `CVSS:3.0/…` or `CVSS:3.1/…` vector.
pub(crate) fn base_score(vector: &str) -> Result<f64, Error> {
    let (v31, body) = if let Some(body) = vector.strip_prefix("CVSS:3.1/") {
        (true, body)
    } else if let Some(body) = vector.strip_prefix("CVSS:3.0/") {
        (false, body)
    } else {
        return Err(error(vector, "not a CVSS v3 vector"));
    };
    let pairs = metrics(vector, body)?;
    let get = |key: &str| -> Result<&str, Error> {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .ok_or_else(|| error(vector, format!("base metric `{key}` is missing")))
    };
    const KNOWN: [(&str, &[&str]); 22] = [
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "R"]),
        ("S", &["U", "C"]),
        ("C", &["H", "L", "N"]),
        ("I", &["H", "L", "N"]),
        ("A", &["H", "L", "N"]),
        ("E", &["X", "H", "F", "P", "U"]),
        ("RL", &["X", "U", "W", "T", "O"]),
        ("RC", &["X", "C", "R", "U"]),
        ("CR", &["X", "H", "M", "L"]),
        ("IR", &["X", "H", "M", "L"]),
        ("AR", &["X", "H", "M", "L"]),
        ("MAV", &["X", "N", "A", "L", "P"]),
        ("MAC", &["X", "L", "H"]),
        ("MPR", &["X", "N", "L", "H"]),
        ("MUI", &["X", "N", "R"]),
        ("MS", &["X", "U", "C"]),
        ("MC", &["X", "H", "L", "N"]),
        ("MI", &["X", "H", "L", "N"]),
        ("MA", &["X", "H", "L", "N"]),
    ];
    for (key, value) in &pairs {
        match KNOWN.iter().find(|(k, _)| k == key) {
            None => return Err(error(vector, format!("unknown metric `{key}`"))),
            Some((_, allowed)) if !allowed.contains(value) => {
                return Err(error(
                    vector,
                    format!("`{value}` is not a value of `{key}`"),
                ));
            }
            Some(_) => {}
        }
    }
    let scope_changed = get("S")? == "C";
    let av = match get("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let ac = if get("AC")? == "L" { 0.77 } else { 0.44 };
    let pr = match (get("PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let ui = if get("UI")? == "N" { 0.85 } else { 0.62 };
    let cia = |key: &str| -> Result<f64, Error> {
        Ok(match get(key)? {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        })
    };
    let iss = 1.0 - (1.0 - cia("C")?) * (1.0 - cia("I")?) * (1.0 - cia("A")?);
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let roundup = if v31 { roundup_31 } else { roundup_30 };
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let score = if scope_changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    };
    Ok(score)
}
