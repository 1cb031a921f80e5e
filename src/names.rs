//! Job names: validation, de-duplication, `--jobs-from` files and `--match` globs.

use std::collections::HashSet;
use std::io::BufRead;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::exit::UsageError;

/// Why a job name is refused (the contract's rule).
pub fn invalid_reason(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("`.` and `..` are not job names")
    } else if name.contains('/') || name.contains('\\') {
        Some("it holds a slash or backslash")
    } else if name.chars().any(char::is_control) {
        Some("it holds a NUL or control character")
    } else {
        None
    }
}

/// Checks every name and drops repeats, keeping the first occurrence's order.
pub fn validate_and_dedup(names: impl IntoIterator<Item = String>) -> anyhow::Result<Vec<String>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for name in names {
        if let Some(reason) = invalid_reason(&name) {
            return Err(UsageError(format!(
                "invalid job name {:?}: {reason}",
                name.escape_debug().to_string()
            ))
            .into());
        }
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    Ok(out)
}

/// Reads names one a line; blank lines and `#` comments are skipped, and
/// surrounding whitespace (and a Windows `\r`) is trimmed.
pub fn read_names(reader: impl BufRead, origin: &str) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(|error| {
            UsageError(format!(
                "cannot read job names from {origin} (line {}): {error}",
                number + 1
            ))
        })?;
        let name = line.trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// `--match` patterns, combined with OR. No pattern matches everything.
#[derive(Debug, Clone)]
pub struct Matcher {
    set: Option<GlobSet>,
}

impl Matcher {
    pub fn new(patterns: &[String]) -> anyhow::Result<Self> {
        if patterns.is_empty() {
            return Ok(Self { set: None });
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern).map_err(|error| {
                UsageError(format!("invalid --match pattern {pattern:?}: {error}"))
            })?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|error| UsageError(format!("invalid --match patterns: {error}")))?;
        Ok(Self { set: Some(set) })
    }

    pub fn is_match(&self, name: &str) -> bool {
        self.set.as_ref().is_none_or(|set| set.is_match(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_contract() {
        for good in ["job_batch", "数据同步", "daily load+ü 2", "a.b", "..x"] {
            assert_eq!(invalid_reason(good), None, "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a\\b",
            "a\0b",
            "a\nb",
            "tab\there",
            "\u{7f}",
        ] {
            assert!(invalid_reason(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn dedup_keeps_first_order() {
        let names = ["b", "a", "b", "c", "a"].map(String::from);
        assert_eq!(validate_and_dedup(names).expect("valid"), ["b", "a", "c"]);
        let error = validate_and_dedup(["ok".to_string(), "x/y".to_string()]).expect_err("bad");
        assert!(error.downcast_ref::<UsageError>().is_some());
    }

    #[test]
    fn jobs_from_skips_blanks_and_comments() {
        let text = "job_a\n\n# comment\n  job_b  \r\njob_c\n";
        assert_eq!(
            read_names(text.as_bytes(), "-").expect("reads"),
            ["job_a", "job_b", "job_c"]
        );
    }

    #[test]
    fn globs_combine_with_or() {
        let matcher = Matcher::new(&["etl_*".into(), "report_?".into()]).expect("valid");
        assert!(matcher.is_match("etl_daily"));
        assert!(matcher.is_match("report_1"));
        assert!(!matcher.is_match("report_10"));
        assert!(Matcher::new(&[]).expect("valid").is_match("anything"));
        assert!(Matcher::new(&["[".into()]).is_err());
    }
}
