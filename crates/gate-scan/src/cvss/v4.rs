//! CVSS v4.0 base score (more exactly the CVSS-B/BT/BE/BTE score of whatever metrics the
//! vector carries): the MacroVector lookup and interpolation of the FIRST specification,
//! step for step as its reference calculator computes it.

use super::v4_table::LOOKUP;
use super::{Error, error};

/// Every metric in specification order with its allowed values (the first is the
/// default when the metric is absent).
const METRICS: [(&str, &[&str]); 32] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["N", "L", "H"]),
    ("VI", &["N", "L", "H"]),
    ("VA", &["N", "L", "H"]),
    ("SC", &["N", "L", "H"]),
    ("SI", &["N", "L", "H"]),
    ("SA", &["N", "L", "H"]),
    ("E", &["X", "A", "P", "U"]),
    ("CR", &["X", "H", "M", "L"]),
    ("IR", &["X", "H", "M", "L"]),
    ("AR", &["X", "H", "M", "L"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MAT", &["X", "N", "P"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "P", "A"]),
    ("MVC", &["X", "H", "L", "N"]),
    ("MVI", &["X", "H", "L", "N"]),
    ("MVA", &["X", "H", "L", "N"]),
    ("MSC", &["X", "H", "L", "N"]),
    ("MSI", &["X", "S", "H", "L", "N"]),
    ("MSA", &["X", "S", "H", "L", "N"]),
    ("S", &["X", "N", "P"]),
    ("AU", &["X", "N", "Y"]),
    ("R", &["X", "A", "U", "I"]),
    ("V", &["X", "D", "C"]),
    ("RE", &["X", "L", "M", "H"]),
    ("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

const BASE_COUNT: usize = 11;

struct Vector<'a> {
    values: Vec<(&'static str, &'a str)>,
}

impl<'a> Vector<'a> {
    fn parse(vector: &'a str) -> Result<Self, Error> {
        let body = vector
            .strip_prefix("CVSS:4.0/")
            .ok_or_else(|| error(vector, "not a CVSS v4.0 vector"))?;
        let mut values: Vec<(&'static str, &'a str)> = METRICS
            .iter()
            .map(|(k, allowed)| (*k, allowed[0]))
            .collect();
        let mut index = 0usize;
        for part in body.split('/') {
            let (key, value) = part
                .split_once(':')
                .ok_or_else(|| error(vector, format!("`{part}` is not METRIC:VALUE")))?;
            let Some(found) = METRICS[index..].iter().position(|(k, _)| *k == key) else {
                return Err(if METRICS.iter().any(|(k, _)| *k == key) {
                    error(
                        vector,
                        format!("metric `{key}` is repeated or out of order"),
                    )
                } else {
                    error(vector, format!("unknown metric `{key}`"))
                });
            };
            let position = index + found;
            if position >= BASE_COUNT && index < BASE_COUNT {
                return Err(error(
                    vector,
                    format!("base metric `{}` is missing", METRICS[index].0),
                ));
            }
            if found > 0 && position < BASE_COUNT {
                return Err(error(
                    vector,
                    format!("base metric `{}` is missing", METRICS[index].0),
                ));
            }
            if !METRICS[position].1.contains(&value) {
                return Err(error(
                    vector,
                    format!("`{value}` is not a value of `{key}`"),
                ));
            }
            values[position].1 = value;
            index = position + 1;
        }
        if index < BASE_COUNT {
            return Err(error(
                vector,
                format!("base metric `{}` is missing", METRICS[index].0),
            ));
        }
        Ok(Self { values })
    }

    fn raw(&self, metric: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| *k == metric)
            .map_or("X", |(_, v)| v)
    }

    /// `getEffectiveMetricValue`: worst-case defaults for E/CR/IR/AR, then the modified
    /// (environmental) value when one is set.
    fn effective(&self, metric: &str) -> &str {
        let raw = self.raw(metric);
        if raw == "X" {
            match metric {
                "E" => return "A",
                "CR" | "IR" | "AR" => return "H",
                _ => {}
            }
        }
        let modified = format!("M{metric}");
        if self.values.iter().any(|(k, _)| *k == modified) {
            let m = self.raw(&modified);
            if m != "X" {
                return m;
            }
        }
        raw
    }

    fn macrovector(&self) -> [u8; 6] {
        let e = |m: &str| self.effective(m);
        let (av, pr, ui) = (e("AV"), e("PR"), e("UI"));
        let eq1 = if av == "N" && pr == "N" && ui == "N" {
            0
        } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
            1
        } else {
            2
        };
        let eq2 = if e("AC") == "L" && e("AT") == "N" {
            0
        } else {
            1
        };
        let (vc, vi, va) = (e("VC"), e("VI"), e("VA"));
        let eq3 = if vc == "H" && vi == "H" {
            0
        } else if vc == "H" || vi == "H" || va == "H" {
            1
        } else {
            2
        };
        let eq4 = if e("MSI") == "S" || e("MSA") == "S" {
            0
        } else if e("SC") == "H" || e("SI") == "H" || e("SA") == "H" {
            1
        } else {
            2
        };
        let eq5 = match e("E") {
            "A" => 0,
            "P" => 1,
            _ => 2,
        };
        let eq6 = if (e("CR") == "H" && vc == "H")
            || (e("IR") == "H" && vi == "H")
            || (e("AR") == "H" && va == "H")
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }
}

fn lookup(mv: [u8; 6]) -> Option<f64> {
    let key: String = mv.iter().map(|d| char::from(b'0' + d)).collect();
    LOOKUP
        .binary_search_by(|(k, _)| (*k).cmp(key.as_str()))
        .ok()
        .map(|i| f64::from(LOOKUP[i].1) / 10.0)
}

/// `METRIC_LEVELS` of the reference implementation.
fn level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SC", "H") => 0.1,
        ("SC", "L") => 0.2,
        ("SC", "N") => 0.3,
        ("SI" | "SA", "S") => 0.0,
        ("SI" | "SA", "H") => 0.1,
        ("SI" | "SA", "L") => 0.2,
        ("SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        ("E", "A") => 0.0,
        ("E", "P") => 0.1,
        ("E", "U") => 0.2,
        _ => f64::NAN,
    }
}

const LEVEL_METRICS: [&str; 15] = [
    "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR", "E",
];

/// `MAX_COMPOSED`: the highest-severity vectors of each EQ level.
fn max_composed(eq: usize, level: u8, eq6: u8) -> &'static [&'static str] {
    match (eq, level) {
        (1, 0) => &["AV:N/PR:N/UI:N/"],
        (1, 1) => &["AV:A/PR:N/UI:N/", "AV:N/PR:L/UI:N/", "AV:N/PR:N/UI:P/"],
        (1, _) => &["AV:P/PR:N/UI:N/", "AV:A/PR:L/UI:P/"],
        (2, 0) => &["AC:L/AT:N/"],
        (2, _) => &["AC:H/AT:N/", "AC:L/AT:P/"],
        (3, 0) if eq6 == 0 => &["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H/"],
        (3, 0) => &[
            "VC:H/VI:H/VA:L/CR:M/IR:M/AR:H/",
            "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M/",
        ],
        (3, 1) if eq6 == 0 => &[
            "VC:L/VI:H/VA:H/CR:H/IR:H/AR:H/",
            "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H/",
        ],
        (3, 1) => &[
            "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H/",
            "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M/",
            "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M/",
            "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H/",
            "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M/",
        ],
        (3, _) => &["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H/"],
        (4, 0) => &["SC:H/SI:S/SA:S/"],
        (4, 1) => &["SC:H/SI:H/SA:H/"],
        (4, _) => &["SC:L/SI:L/SA:L/"],
        (_, 0) => &["E:A/"],
        (_, 1) => &["E:P/"],
        (_, _) => &["E:U/"],
    }
}

/// `MAX_SEVERITY`: depth of each EQ level (in 0.1 steps).
fn max_severity(eq: usize, level: u8, eq6: u8) -> f64 {
    let steps: u8 = match (eq, level) {
        (1, 0) => 1,
        (1, 1) => 4,
        (1, _) => 5,
        (2, 0) => 1,
        (2, _) => 2,
        (3, 0) => {
            if eq6 == 0 {
                7
            } else {
                6
            }
        }
        (3, 1) => 8,
        (3, _) => 10,
        (4, 0) => 6,
        (4, 1) => 5,
        (4, _) => 4,
        _ => 1,
    };
    f64::from(steps) * 0.1
}

fn extract<'a>(metric: &str, composed: &'a str) -> &'a str {
    composed
        .split('/')
        .filter_map(|p| p.split_once(':'))
        .find(|(k, _)| *k == metric)
        .map_or("", |(_, v)| v)
}

/// The CVSS v4.0 score of a `CVSS:4.0/…` vector.
pub(crate) fn base_score(vector: &str) -> Result<f64, Error> {
    let v = Vector::parse(vector)?;
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|m| v.effective(m) == "N")
    {
        return Ok(0.0);
    }
    let mv = v.macrovector();
    let value = lookup(mv).ok_or_else(|| error(vector, "no score for its MacroVector"))?;
    let [eq1, eq2, eq3, eq4, eq5, eq6] = mv;

    let with = |i: usize, delta: u8| {
        let mut m = mv;
        m[i] += delta;
        lookup(m)
    };
    let score_eq1 = with(0, 1);
    let score_eq2 = with(1, 1);
    let score_eq3eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => with(2, 1),
        (1, 0) => with(5, 1),
        (0, 0) => match (with(5, 1), with(2, 1)) {
            (Some(l), Some(r)) => Some(l.max(r)),
            _ => None,
        },
        _ => {
            let mut m = mv;
            m[2] += 1;
            m[5] += 1;
            lookup(m)
        }
    };
    let score_eq4 = with(3, 1);
    let score_eq5 = with(4, 1);

    // Compose the candidate highest-severity vectors and keep the first one that the
    // vector does not exceed on any metric.
    let mut distances = [0.0f64; 15];
    let mut found = false;
    'outer: for a in max_composed(1, eq1, eq6) {
        for b in max_composed(2, eq2, eq6) {
            for c in max_composed(3, eq3, eq6) {
                for d in max_composed(4, eq4, eq6) {
                    for e in max_composed(5, eq5, eq6) {
                        let composed = format!("{a}{b}{c}{d}{e}");
                        for (slot, metric) in distances.iter_mut().zip(LEVEL_METRICS) {
                            *slot = level(metric, v.effective(metric))
                                - level(metric, extract(metric, &composed));
                        }
                        if distances.iter().all(|d| *d >= 0.0) {
                            found = true;
                            break 'outer;
                        }
                    }
                }
            }
        }
    }
    if !found {
        return Err(error(vector, "no highest-severity vector bounds it"));
    }
    let d = |m: &str| {
        LEVEL_METRICS
            .iter()
            .position(|k| *k == m)
            .map_or(0.0, |i| distances[i])
    };
    let current_eq1 = d("AV") + d("PR") + d("UI");
    let current_eq2 = d("AC") + d("AT");
    let current_eq3eq6 = d("VC") + d("VI") + d("VA") + d("CR") + d("IR") + d("AR");
    let current_eq4 = d("SC") + d("SI") + d("SA");

    let mut existing = 0u32;
    let mut total = 0.0f64;
    let parts = [
        (score_eq1, current_eq1, max_severity(1, eq1, eq6)),
        (score_eq2, current_eq2, max_severity(2, eq2, eq6)),
        (score_eq3eq6, current_eq3eq6, max_severity(3, eq3, eq6)),
        (score_eq4, current_eq4, max_severity(4, eq4, eq6)),
    ];
    for (lower, current, depth) in parts {
        if let Some(lower) = lower {
            existing += 1;
            let available = value - lower;
            total += available * (current / depth);
        }
    }
    if score_eq5.is_some() {
        // EQ5's proportion is always 0.
        existing += 1;
    }
    let mean = if existing == 0 {
        0.0
    } else {
        total / f64::from(existing)
    };
    let score = (value - mean).clamp(0.0, 10.0);
    // Round half up to one decimal; the small epsilon undoes floating-point error on exact
    // halves (8.6 - 7.15 = 1.4499999999999993 must round to 1.5), as the reference
    // implementations do.
    const EPSILON: f64 = 1e-6;
    Ok(((score + EPSILON) * 10.0 + 0.5).floor() / 10.0)
}
