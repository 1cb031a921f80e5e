//! Job names: the naming rules, de-duplication, `--jobs-from` files and
//! `--match` globs.

use std::collections::HashSet;
use std::io::BufRead;

use globset::{Glob, GlobSet, GlobSetBuilder};

/// The longest name a file may have on common filesystems (`NAME_MAX`).
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// A name or pattern that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum NameError {
    #[error("invalid job name \"{}\": {reason}", name.escape_debug())]
    Invalid { name: String, reason: &'static str },
    #[error("invalid job name \"{}\" in {origin} (line {line}): {reason}", name.escape_debug())]
    InvalidLine {
        name: String,
        reason: &'static str,
        origin: String,
        line: usize,
    },
    #[error("cannot read job names from {origin} (line {line}): {detail}")]
    Unreadable {
        origin: String,
        line: usize,
        detail: String,
    },
    #[error("cannot read --jobs-from {origin}: {detail}")]
    Unopenable { origin: String, detail: String },
    #[error("invalid --match pattern {pattern:?}: {detail}")]
    Pattern { pattern: String, detail: String },
}

/// Why a job name is refused as input (the contract's rule).
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

/// Why a listed job cannot get a directory of its own here, if it cannot:
/// the input rules, and a file name no longer than [`MAX_FILE_NAME_BYTES`]
/// (`<name>.job` must fit too).
pub fn unwritable_reason(name: &str) -> Option<&'static str> {
    invalid_reason(name).or_else(|| {
        (name.len() + ".job".len() > MAX_FILE_NAME_BYTES)
            .then_some("it is too long for a file name here (over 255 bytes with .job)")
    })
}

/// Names split into the valid ones (de-duplicated, first order kept) and
/// those refused, with the reason.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub valid: Vec<String>,
    pub invalid: Vec<(String, &'static str)>,
}

/// Checks every name and drops repeats, keeping the first occurrence's order.
pub fn check(names: impl IntoIterator<Item = String>) -> Checked {
    let mut seen = HashSet::new();
    let mut checked = Checked::default();
    for name in names {
        if !seen.insert(name.clone()) {
            continue;
        }
        match invalid_reason(&name) {
            Some(reason) => checked.invalid.push((name, reason)),
            None => checked.valid.push(name),
        }
    }
    checked
}

/// Like [`check`], but any invalid name is an error.
pub fn validate_and_dedup(
    names: impl IntoIterator<Item = String>,
) -> Result<Vec<String>, NameError> {
    let checked = check(names);
    match checked.invalid.into_iter().next() {
        Some((name, reason)) => Err(NameError::Invalid { name, reason }),
        None => Ok(checked.valid),
    }
}

/// Reads names one a line, losslessly: only the line ending (`\n` or
/// `\r\n`) is removed, names are not trimmed; blank (or whitespace-only)
/// lines and lines starting with `#` are skipped; a UTF-8 byte-order mark
/// at the start is ignored. Each name comes with its line number.
pub fn read_names(
    mut reader: impl BufRead,
    origin: &str,
) -> Result<Vec<(usize, String)>, NameError> {
    let mut names = Vec::new();
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let read = reader
            .read_line(&mut line)
            .map_err(|error| NameError::Unreadable {
                origin: origin.to_string(),
                line: number,
                detail: error.to_string(),
            })?;
        if read == 0 {
            return Ok(names);
        }
        let mut name = line.strip_suffix('\n').unwrap_or(&line);
        name = name.strip_suffix('\r').unwrap_or(name);
        if number == 1 {
            name = name.strip_prefix('\u{feff}').unwrap_or(name);
        }
        if name.trim().is_empty() || name.starts_with('#') {
            continue;
        }
        names.push((number, name.to_string()));
    }
}

/// `--match` patterns, combined with OR. No pattern matches everything.
#[derive(Debug, Clone)]
pub struct Matcher {
    set: Option<GlobSet>,
    patterns: Vec<String>,
}

impl Matcher {
    pub fn new(patterns: &[String]) -> Result<Self, NameError> {
        if patterns.is_empty() {
            return Ok(Self {
                set: None,
                patterns: Vec::new(),
            });
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern).map_err(|error| NameError::Pattern {
                pattern: pattern.clone(),
                detail: error.kind().to_string(),
            })?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|error| NameError::Pattern {
            pattern: patterns.join(" "),
            detail: error.kind().to_string(),
        })?;
        Ok(Self {
            set: Some(set),
            patterns: patterns.to_vec(),
        })
    }

    pub fn is_match(&self, name: &str) -> bool {
        self.set.as_ref().is_none_or(|set| set.is_match(name))
    }

    /// The patterns as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_contract() {
        for good in [
            "job_batch",
            "数据同步",
            "daily load+ü 2",
            "a.b",
            "..x",
            " padded ",
        ] {
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
        let long = "数".repeat(86);
        assert!(invalid_reason(&long).is_none());
        assert!(unwritable_reason(&long).is_some());
        assert!(unwritable_reason(&"a".repeat(251)).is_none());
        assert!(unwritable_reason(&"a".repeat(252)).is_some());
    }

    #[test]
    fn check_keeps_first_order_and_sets_invalid_names_apart() {
        let names = ["b", "a", "b", "x/y", "c", "a"].map(String::from);
        let checked = check(names);
        assert_eq!(checked.valid, ["b", "a", "c"]);
        assert_eq!(checked.invalid.len(), 1);
        assert!(matches!(
            validate_and_dedup(["ok".to_string(), "x/y".to_string()]),
            Err(NameError::Invalid { .. })
        ));
    }

    #[test]
    fn jobs_from_is_lossless_skipping_blanks_and_comments() {
        let text = "\u{feff}job_a\n\n# comment\n  \t \n  job_b  \r\njob_c\n#x\nlast";
        assert_eq!(
            read_names(text.as_bytes(), "-").expect("reads"),
            [
                (1, "job_a".to_string()),
                (5, "  job_b  ".to_string()),
                (6, "job_c".to_string()),
                (8, "last".to_string())
            ]
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
