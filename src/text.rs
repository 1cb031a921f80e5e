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

/// The first `max` bytes of `text` (cut at a character boundary), quoted,
/// with control characters escaped and everything else (CJK included) kept.
pub fn quote_prefix(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut shown = escape_controls(&text[..end]);
    if end < text.len() {
        shown.push_str("...");
    }
    if shown.is_empty() {
        shown.push_str("(empty body)");
    }
    format!("\"{shown}\"")
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

/// Text from a server or an archive, made safe to show: each of `secrets`
/// (non-empty ones) replaced by `(redacted)`, then control and bidirectional
/// formatting characters escaped.
pub fn sanitize(text: &str, secrets: &[&str]) -> String {
    escape_controls(&redact(text, secrets))
}

/// `text` with each of `secrets` (non-empty ones), and any SDK-HMAC-SHA256
/// signature (`Signature=<64 hex digits>`, of whichever request), replaced
/// by `(redacted)`; for text that is escaped later anyway (JSON strings).
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut shown = text.to_string();
    for secret in secrets.iter().filter(|secret| secret.len() >= 4) {
        if shown.contains(secret) {
            shown = shown.replace(secret, "(redacted)");
        }
    }
    redact_signatures(&shown)
}

/// `Signature=` followed by 64 hex digits → `Signature=(redacted)`.
fn redact_signatures(text: &str) -> String {
    const KEY: &str = "Signature=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, from_key) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let hex = from_key.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 64 {
            out.push_str("(redacted)");
            rest = &from_key[hex..];
        } else {
            rest = from_key;
        }
    }
    out.push_str(rest);
    out
}

/// Escapes control characters (`\n`, `\u{1b}`) and the invisible
/// characters that reorder or hide text (bidirectional overrides, zero-width
/// marks); everything else is kept as it is.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
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
        assert_eq!(quote_prefix("数据\n同步", 8), "\"数据\\n...\"");
        assert_eq!(quote_prefix("", 8), "\"(empty body)\"");
    }

    #[test]
    fn server_text_is_redacted_and_escaped() {
        assert_eq!(
            sanitize(
                "token TOKEN123 in\n\x1b]8;;http://x\x07hint: fake",
                &["TOKEN123", ""]
            ),
            "token (redacted) in\\n\\u{1b}]8;;http://x\\u{7}hint: fake"
        );
        let signature = "ab".repeat(32);
        assert_eq!(
            redact(
                &format!("Access=AK, SignedHeaders=host, Signature={signature}; Signature=short"),
                &[]
            ),
            "Access=AK, SignedHeaders=host, Signature=(redacted); Signature=short"
        );
        assert_eq!(escape_controls("数据同步 ok"), "数据同步 ok");
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
    }
}
