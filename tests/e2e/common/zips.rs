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

/// One entry of a zip written by hand: the stored bytes and what the
/// headers say about them, so that headers and data can disagree.
pub struct RawEntry<'a> {
    pub name: &'a str,
    pub method: u16,
    /// The bytes stored after the local header.
    pub data: Vec<u8>,
    pub crc32: u32,
    pub size: u32,
    /// The compressed size each header states: (local, central).
    pub csize: (u32, u32),
}

impl<'a> RawEntry<'a> {
    /// A deflated entry, its headers telling the truth.
    pub fn deflated(name: &'a str, contents: &[u8]) -> Self {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(contents).expect("deflate");
        let data = encoder.finish().expect("deflate");
        let mut crc = flate2::Crc::new();
        crc.update(contents);
        let csize = data.len() as u32;
        RawEntry {
            name,
            method: 8,
            data,
            crc32: crc.sum(),
            size: contents.len() as u32,
            csize: (csize, csize),
        }
    }
}

/// A zip of hand-written entries (no data descriptors, no ZIP64).
pub fn build_raw(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        let mut local = Vec::new();
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        local.extend_from_slice(&20u16.to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(&e.method.to_le_bytes());
        local.extend_from_slice(&[0, 0, 0x21, 0]);
        local.extend_from_slice(&e.crc32.to_le_bytes());
        local.extend_from_slice(&e.csize.0.to_le_bytes());
        local.extend_from_slice(&e.size.to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(name);
        out.extend_from_slice(&local);
        out.extend_from_slice(&e.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes());
        central.extend_from_slice(&local[4..14]);
        central.extend_from_slice(&e.crc32.to_le_bytes());
        central.extend_from_slice(&e.csize.1.to_le_bytes());
        central.extend_from_slice(&e.size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]);
        central.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A deflated entry whose stream is followed by more bytes inside its compressed size.
pub fn with_data_after_the_stream() -> Vec<u8> {
    let mut e = RawEntry::deflated("jobs/a/a.job", b"{\"name\":\"a\"} and some more text");
    e.data.extend_from_slice(b"SMUGGLED");
    let csize = e.data.len() as u32;
    e.csize = (csize, csize);
    build_raw(&[RawEntry::deflated("jobs/a/ok.job", b"{}"), e])
}

/// A local header whose compressed size differs from the central directory's.
pub fn with_local_size_mismatch() -> Vec<u8> {
    let mut e = RawEntry::deflated("jobs/a/a.job", b"{\"name\":\"a\"}");
    e.csize.0 += 1;
    build_raw(&[e])
}

/// Entries at the top level and in git's folders.
pub fn with_git_or_top_level(name: &str) -> Vec<u8> {
    build_raw(&[
        RawEntry::deflated("jobs/a/a.job", b"{}"),
        RawEntry::deflated(name, b"[core]\n\tfsmonitor = touch /tmp/pwned\n"),
    ])
}
