//! Decoding and validating entry names.

use super::ArchiveError;

/// Decode a stored entry name: UTF-8 when `utf8_flag` (general purpose bit 11)
/// is set or when the bytes are valid UTF-8, else GB18030. Never lossy: bytes
/// that do not decode are refused.
pub fn decode_name(raw: &[u8], utf8_flag: bool) -> Result<String, ArchiveError> {
    if let Ok(s) = std::str::from_utf8(raw) {
        return Ok(s.to_string());
    }
    let undecodable = || ArchiveError::Undecodable {
        name: raw.escape_ascii().to_string(),
    };
    if utf8_flag {
        return Err(undecodable());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(raw)
        .map(|s| s.into_owned())
        .ok_or_else(undecodable)
}

/// Validate a decoded entry name. Returns the path without its trailing slash
/// and whether the entry is a directory (trailing `/`), or the rule broken.
pub fn validate_name(name: &str) -> Result<(String, bool), &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    if name.contains('\0') {
        return Err("contains a NUL character");
    }
    if name.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    if name.contains('\\') {
        return Err("contains a backslash");
    }
    if name.starts_with('/') {
        return Err("absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("drive prefix");
    }
    let (path, is_dir) = match name.strip_suffix('/') {
        Some(p) => (p, true),
        None => (name, false),
    };
    for comp in path.split('/') {
        match comp {
            "" => return Err("empty path component"),
            "." => return Err("`.` path component"),
            ".." => return Err("`..` path component"),
            _ if comp.eq_ignore_ascii_case(".git") => return Err("a `.git` path component"),
            _ => {}
        }
    }
    match path.split_once('/') {
        Some((top, _)) if TOP_LEVEL.contains(&top) => {}
        None if is_dir && TOP_LEVEL.contains(&path) => {}
        _ => return Err("outside the jobs/, scripts/ and resources/ folders"),
    }
    Ok((path.to_string(), is_dir))
}

/// The only folders an archive may hold at its top level.
pub const TOP_LEVEL: [&str; 3] = ["jobs", "scripts", "resources"];
