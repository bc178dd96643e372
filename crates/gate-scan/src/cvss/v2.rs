//! CVSS v2.0 base scores (specification section 3.2.1).

use super::{Error, error, metrics};

/// The base score of a v2 vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally in parentheses
/// or prefixed `CVSS:2.0/`).
pub(crate) fn base_score(vector: &str) -> Result<f64, Error> {
    let body = vector.strip_prefix("CVSS:2.0/").unwrap_or(vector);
    let body = body
        .strip_prefix('(')
        .and_then(|b| b.strip_suffix(')'))
        .unwrap_or(body);
    let pairs = metrics(vector, body)?;
    const KNOWN: [(&str, &[&str]); 14] = [
        ("AV", &["L", "A", "N"]),
        ("AC", &["H", "M", "L"]),
        ("Au", &["M", "S", "N"]),
        ("C", &["N", "P", "C"]),
        ("I", &["N", "P", "C"]),
        ("A", &["N", "P", "C"]),
        ("E", &["U", "POC", "F", "H", "ND"]),
        ("RL", &["OF", "TF", "W", "U", "ND"]),
        ("RC", &["UC", "UR", "C", "ND"]),
        ("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
        ("TD", &["N", "L", "M", "H", "ND"]),
        ("CR", &["L", "M", "H", "ND"]),
        ("IR", &["L", "M", "H", "ND"]),
        ("AR", &["L", "M", "H", "ND"]),
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
    let get = |key: &str| -> Result<&str, Error> {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .ok_or_else(|| error(vector, format!("base metric `{key}` is missing")))
    };
    let av = match get("AV")? {
        "L" => 0.395,
        "A" => 0.646,
        _ => 1.0,
    };
    let ac = match get("AC")? {
        "H" => 0.35,
        "M" => 0.61,
        _ => 0.71,
    };
    let au = match get("Au")? {
        "M" => 0.45,
        "S" => 0.56,
        _ => 0.704,
    };
    let cia = |key: &str| -> Result<f64, Error> {
        Ok(match get(key)? {
            "N" => 0.0,
            "P" => 0.275,
            _ => 0.660,
        })
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f_impact = if impact == 0.0 { 0.0 } else { 1.176 };
    let score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;
    Ok(round1(score))
}

/// Rounds to one decimal, halves away from zero (as the reference calculators do).
fn round1(value: f64) -> f64 {
    ((value * 10.0) + 1e-9).round() / 10.0
}
