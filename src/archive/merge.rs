//! Merging batch archives into one, copying compressed data as is.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::central::{inspect_file, raw_reader, same_contents};
use super::{esc, ArchiveError, Limits, Raw, MAX_ENTRIES};

/// What [`merge`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    /// Entries written (files and directories).
    pub entries: u64,
    /// Total uncompressed size of the files written.
    pub bytes: u64,
}

/// Merge batch archives `(label, path)` into one zip at `out` (created or
/// truncated; the caller renames it into place). Compressed data is copied
/// without recompressing; names are written as validated UTF-8. An entry present
/// in several parts with identical contents is kept once; the same path with
/// different contents is [`ArchiveError::BatchConflict`] naming both labels.
pub fn merge(parts: &[(String, PathBuf)], out: &Path) -> anyhow::Result<Merged> {
    let limits = Limits {
        max_size: u64::MAX,
        max_entries: MAX_ENTRIES,
    };
    let mut files = Vec::with_capacity(parts.len());
    let mut listings = Vec::with_capacity(parts.len());
    for (label, path) in parts {
        let f = File::open(path).with_context(|| format!("cannot open batch {label}"))?;
        let l = inspect_file(&f, &limits).with_context(|| format!("batch {label}"))?;
        for (k, other) in &l.dups {
            let e = &l.entries[*k];
            if !same_contents((&f, &e.raw, l.data_end), (&f, other, l.data_end), &e.path)
                .with_context(|| format!("batch {label}"))?
            {
                return Err(ArchiveError::ConflictingDuplicate { name: esc(&e.path) })
                    .with_context(|| format!("batch {label}"));
            }
        }
        files.push(f);
        listings.push(l);
    }

    let w = File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut zw = ZipOut::new(BufWriter::with_capacity(256 * 1024, w));
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut merged = Merged {
        entries: 0,
        bytes: 0,
    };
    for (pi, l) in listings.iter().enumerate() {
        for (ei, e) in l.entries.iter().enumerate() {
            if let Some(&(pj, ej)) = seen.get(e.path.as_str()) {
                let prev = &listings[pj].entries[ej];
                let same = prev.is_dir == e.is_dir
                    && (e.is_dir
                        || same_contents(
                            (&files[pj], &prev.raw, listings[pj].data_end),
                            (&files[pi], &e.raw, l.data_end),
                            &e.path,
                        )?);
                if !same {
                    return Err(ArchiveError::BatchConflict {
                        name: esc(&e.path),
                        first: parts[pj].0.clone(),
                        second: parts[pi].0.clone(),
                    }
                    .into());
                }
                continue;
            }
            seen.insert(&e.path, (pi, ei));
            let name = if e.is_dir {
                format!("{}/", e.path)
            } else {
                e.path.clone()
            };
            let mut data = raw_reader(&files[pi], &e.raw, l.data_end)?;
            zw.add(&name, e.is_dir, &e.raw, &mut data)
                .with_context(|| format!("cannot write {}", out.display()))?;
            merged.entries += 1;
            merged.bytes += e.size;
        }
    }
    let w = zw
        .finish()
        .with_context(|| format!("cannot write {}", out.display()))?;
    let f = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", out.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(merged)
}

/// A minimal zip writer for already-compressed entries (ZIP64 when needed).
pub(crate) struct ZipOut<W: Write> {
    w: W,
    pos: u64,
    cd: Vec<u8>,
    count: u64,
}

const FLAG_UTF8: u16 = 1 << 11;

impl<W: Write> ZipOut<W> {
    pub(crate) fn new(w: W) -> Self {
        ZipOut {
            w,
            pos: 0,
            cd: Vec::new(),
            count: 0,
        }
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.w.write_all(b)?;
        self.pos += b.len() as u64;
        Ok(())
    }

    /// Write one entry whose stored (compressed) bytes come from `data`
    /// (exactly `raw.csize` bytes); `raw` gives method, CRC, sizes and time.
    pub(crate) fn add(
        &mut self,
        name: &str,
        is_dir: bool,
        raw: &Raw,
        data: &mut dyn Read,
    ) -> io::Result<()> {
        let offset = self.pos;
        let big = raw.size >= u32::MAX as u64 || raw.csize >= u32::MAX as u64;
        let needed: u16 = if big || offset >= u32::MAX as u64 {
            45
        } else {
            20
        };
        let name_b = name.as_bytes();
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };

        let mut local_extra = Vec::new();
        if big {
            local_extra.extend_from_slice(&1u16.to_le_bytes());
            local_extra.extend_from_slice(&16u16.to_le_bytes());
            local_extra.extend_from_slice(&raw.size.to_le_bytes());
            local_extra.extend_from_slice(&raw.csize.to_le_bytes());
        }
        let sz32 = |v: u64| if big { u32::MAX } else { v as u32 };
        let mut h = Vec::with_capacity(30 + name_b.len() + local_extra.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&needed.to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&raw.method.to_le_bytes());
        h.extend_from_slice(&raw.dos_time.to_le_bytes());
        h.extend_from_slice(&raw.dos_date.to_le_bytes());
        h.extend_from_slice(&raw.crc32.to_le_bytes());
        h.extend_from_slice(&sz32(raw.csize).to_le_bytes());
        h.extend_from_slice(&sz32(raw.size).to_le_bytes());
        h.extend_from_slice(&(name_b.len() as u16).to_le_bytes());
        h.extend_from_slice(&(local_extra.len() as u16).to_le_bytes());
        h.extend_from_slice(name_b);
        h.extend_from_slice(&local_extra);
        self.put(&h)?;
        let copied = io::copy(&mut data.take(raw.csize), &mut self.w)?;
        if copied != raw.csize {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "source entry shorter than its compressed size",
            ));
        }
        self.pos += copied;

        // Central directory record.
        let mut z = Vec::new();
        let size32 = if raw.size >= u32::MAX as u64 {
            z.extend_from_slice(&raw.size.to_le_bytes());
            u32::MAX
        } else {
            raw.size as u32
        };
        let csize32 = if raw.csize >= u32::MAX as u64 {
            z.extend_from_slice(&raw.csize.to_le_bytes());
            u32::MAX
        } else {
            raw.csize as u32
        };
        let off32 = if offset >= u32::MAX as u64 {
            z.extend_from_slice(&offset.to_le_bytes());
            u32::MAX
        } else {
            offset as u32
        };
        let mut extra = Vec::new();
        if !z.is_empty() {
            extra.extend_from_slice(&1u16.to_le_bytes());
            extra.extend_from_slice(&(z.len() as u16).to_le_bytes());
            extra.extend_from_slice(&z);
        }
        let mode: u32 = if is_dir { 0o040755 } else { 0o100644 };
        let attrs = (mode << 16) | if is_dir { 0x10 } else { 0 };
        let c = &mut self.cd;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&((3u16 << 8) | needed).to_le_bytes());
        c.extend_from_slice(&needed.to_le_bytes());
        c.extend_from_slice(&flags.to_le_bytes());
        c.extend_from_slice(&raw.method.to_le_bytes());
        c.extend_from_slice(&raw.dos_time.to_le_bytes());
        c.extend_from_slice(&raw.dos_date.to_le_bytes());
        c.extend_from_slice(&raw.crc32.to_le_bytes());
        c.extend_from_slice(&csize32.to_le_bytes());
        c.extend_from_slice(&size32.to_le_bytes());
        c.extend_from_slice(&(name_b.len() as u16).to_le_bytes());
        c.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes()); // comment
        c.extend_from_slice(&0u16.to_le_bytes()); // disk
        c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        c.extend_from_slice(&attrs.to_le_bytes());
        c.extend_from_slice(&off32.to_le_bytes());
        c.extend_from_slice(name_b);
        c.extend_from_slice(&extra);
        self.count += 1;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<W> {
        let cd_start = self.pos;
        let cd = std::mem::take(&mut self.cd);
        self.put(&cd)?;
        let cd_size = cd.len() as u64;
        let zip64 =
            self.count >= 0xFFFF || cd_start >= u32::MAX as u64 || cd_size >= u32::MAX as u64;
        if zip64 {
            let e64_pos = self.pos;
            let mut e = Vec::with_capacity(76);
            e.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
            e.extend_from_slice(&44u64.to_le_bytes());
            e.extend_from_slice(&((3u16 << 8) | 45).to_le_bytes());
            e.extend_from_slice(&45u16.to_le_bytes());
            e.extend_from_slice(&0u32.to_le_bytes());
            e.extend_from_slice(&0u32.to_le_bytes());
            e.extend_from_slice(&self.count.to_le_bytes());
            e.extend_from_slice(&self.count.to_le_bytes());
            e.extend_from_slice(&cd_size.to_le_bytes());
            e.extend_from_slice(&cd_start.to_le_bytes());
            e.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
            e.extend_from_slice(&0u32.to_le_bytes());
            e.extend_from_slice(&e64_pos.to_le_bytes());
            e.extend_from_slice(&1u32.to_le_bytes());
            self.put(&e)?;
        }
        let n16 = if zip64 { 0xFFFF } else { self.count as u16 };
        let s32 = if zip64 { u32::MAX } else { cd_size as u32 };
        let o32 = if zip64 { u32::MAX } else { cd_start as u32 };
        let mut e = Vec::with_capacity(22);
        e.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        e.extend_from_slice(&n16.to_le_bytes());
        e.extend_from_slice(&n16.to_le_bytes());
        e.extend_from_slice(&s32.to_le_bytes());
        e.extend_from_slice(&o32.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        self.put(&e)?;
        self.w.flush()?;
        Ok(self.w)
    }
}
