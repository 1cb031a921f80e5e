//! Showing text that came from elsewhere (a server, an archive) safely: on
//! one line, with control characters escaped, so that it can neither break a
//! log line nor send escape sequences to a terminal.

/// The first `max` bytes of `bytes`, quoted and escaped so that any bytes
/// print safely on one line (`"<html>\n..."`).
pub fn escape_prefix(bytes: &[u8], max: usize) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut text: String = shown.escape_ascii().to_string();
    if bytes.len() > max {
        text.push_str("...");
    }
    if text.is_empty() {
        text.push_str("(empty body)");
    }
    format!("\"{text}\"")
}

/// Every message of an error's source chain, joined with `: ` (a message
/// already contained in the text so far is not repeated).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_escaped_and_bounded() {
        assert_eq!(
            escape_prefix(b"<html>\n\x00\xff", 100),
            "\"<html>\\n\\x00\\xff\""
        );
        assert_eq!(escape_prefix(b"abcdef", 3), "\"abc...\"");
        assert_eq!(escape_prefix(b"", 3), "\"(empty body)\"");
    }
}
