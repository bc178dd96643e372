//! JUnit XML: one test case per finding (failing findings fail, suppressed ones are
//! skipped), plus one `policy` case carrying the verdict's reasons.

use crate::verdict::Verdict;

/// Escapes text for XML attributes and content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the verdict as JUnit XML.
pub fn render(verdict: &Verdict) -> String {
    let tests = verdict.findings.len() + 1;
    let failures = verdict.summary.failing + usize::from(!verdict.passed());
    let skipped = verdict.findings.iter().filter(|f| f.suppressed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"gate-scan\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"gate-scan {}\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        escape(&verdict.kind)
    ));
    out.push_str("    <testcase classname=\"gate-scan\" name=\"policy\">\n");
    if !verdict.passed() {
        out.push_str(&format!(
            "      <failure message=\"{}\" type=\"policy\">{}</failure>\n",
            escape(&verdict.reasons.join("; ")),
            escape(&verdict.reasons.join("\n"))
        ));
    }
    out.push_str("    </testcase>\n");
    for f in &verdict.findings {
        let classname = if f.package.name.is_empty() {
            "gate-scan".to_owned()
        } else {
            f.package.name.clone()
        };
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">\n",
            escape(&classname),
            escape(&format!(
                "[{}] {} {}",
                f.severity,
                f.id,
                super::package_label(f)
            ))
        ));
        if f.failing {
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                escape(&super::one_line(f)),
                f.severity,
                escape(&format!(
                    "{}\nfixed in: {}\n{}",
                    f.title.as_deref().unwrap_or_default(),
                    f.fixed_versions.join(", "),
                    f.url.as_deref().unwrap_or_default()
                ))
            ));
        } else if f.suppressed {
            out.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                escape(
                    &f.suppressions
                        .iter()
                        .map(|s| s.reason.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
