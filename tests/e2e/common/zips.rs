//! Archives built in the tests, hostile ones included: entries are written
//! with the zip writer under a placeholder name of the same length, then the
//! name bytes are patched in both the local header and the central directory.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// A zip of `(name, bytes)` entries, deflated.
pub fn build(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("start entry");
        writer.write_all(bytes).expect("write entry");
    }
    writer.finish().expect("finish").into_inner()
}

/// A zip with one stored entry per `(name, bytes)` (data easy to patch).
pub fn build_stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("start entry");
        writer.write_all(bytes).expect("write entry");
    }
    writer.finish().expect("finish").into_inner()
}

/// Replaces every occurrence of `from` with `to` (same length) in `bytes`.
pub fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "patches keep lengths");
    let mut found = 0;
    let mut at = 0;
    while let Some(offset) = bytes[at..].windows(from.len()).position(|w| w == from) {
        let start = at + offset;
        bytes[start..start + from.len()].copy_from_slice(to);
        at = start + from.len();
        found += 1;
    }
    assert!(
        found >= 2,
        "expected the name in the local header and the central directory"
    );
    bytes
}

/// One entry whose name is `hostile` (any bytes), padded through a placeholder.
pub fn with_name(hostile: &[u8], data: &[u8]) -> Vec<u8> {
    let placeholder: String = "p".repeat(hostile.len());
    let bytes = build_stored(&[("jobs/ok/ok.job", b"{}"), (&placeholder, data)]);
    patch(bytes, placeholder.as_bytes(), hostile)
}

/// An archive holding a symbolic link.
pub fn with_symlink() -> Vec<u8> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file("jobs/a/a.job", SimpleFileOptions::default())
        .expect("start");
    writer.write_all(b"{}").expect("write");
    writer
        .add_symlink("jobs/a/link", "/etc/passwd", SimpleFileOptions::default())
        .expect("symlink");
    writer.finish().expect("finish").into_inner()
}

/// The same path twice with different bytes.
pub fn with_conflicting_duplicate() -> Vec<u8> {
    let bytes = build_stored(&[
        ("jobs/a/a.job", b"{\"v\":1}"),
        ("jobs/a/b.job", b"{\"v\":2}"),
    ]);
    patch(bytes, b"jobs/a/b.job", b"jobs/a/a.job")
}

/// One entry whose stored data has one byte flipped (CRC mismatch).
pub fn with_bad_crc() -> Vec<u8> {
    let marker = b"THE-DATA-THAT-WILL-BE-CORRUPTED";
    let mut bytes = build_stored(&[("jobs/a/a.job", marker)]);
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("data present");
    bytes[at] ^= 0x20;
    bytes
}

/// A small archive whose one entry inflates far past its declared size.
pub fn bomb() -> Vec<u8> {
    let zeros = vec![0u8; 32 * 1024 * 1024];
    let bytes = build(&[("jobs/a/a.job", &zeros)]);
    // Patch the declared size (32 MiB = 0x02000000) down to 1000 in both headers.
    let declared = (zeros.len() as u32).to_le_bytes();
    patch(bytes, &declared, &1000u32.to_le_bytes())
}
