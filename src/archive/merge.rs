//! Merging batch archives into one, copying compressed data as is.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use super::central::inspect_file;
use super::entry::{raw_reader, same_contents};
use super::format::{
    FLAG_UTF8, MADE_BY_UNIX, SIG_CENTRAL, SIG_EOCD, SIG_EOCD64, SIG_LOCAL, SIG_LOCATOR64,
    VERSION_DEFAULT, VERSION_ZIP64,
};
use super::{esc, ArchiveError, Limits, Listing, Raw, MAX_ENTRIES};
use crate::cancel;

/// What [`merge`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    /// Entries written (files and directories).
    pub entries: u64,
    /// Total uncompressed size of the files written.
    pub bytes: u64,
}

/// Batch archives open at once while merging (each is opened when needed).
const OPEN_PARTS: usize = 4;

/// How much of an entry's data is copied between checks of the cancel flag.
pub(crate) const COPY_CHUNK: usize = 256 * 1024;

/// The context of a failed write of the merged archive.
const WRITE_FAILED: &str = "cannot write the merged archive";

/// Merges batch archives `(label, path)` into `out` (truncated first; the
/// caller owns the file and renames it into place).
/// Compressed data is copied without recompressing; names are written as
/// validated UTF-8. An entry present in several parts with identical contents
/// is kept once; the same path with different contents is
/// [`ArchiveError::BatchConflict`] naming both labels. At most a few parts
/// are open at a time, however many there are.
///
/// `cancel` (set by Ctrl-C) is checked before each part and each entry, and
/// every [`COPY_CHUNK`] bytes of an entry's data: the merge then fails with
/// [`crate::cancel::Interrupted`], leaving `out` partly written for its
/// owner to remove.
pub fn merge(
    parts: &[(String, PathBuf)],
    out: &File,
    cancel: &AtomicBool,
) -> anyhow::Result<Merged> {
    let mut open = OpenParts::new(parts);
    let listings = parts
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            cancel::check(cancel)?;
            inspect_part(&mut open, i, cancel).with_context(|| format!("batch {label}"))
        })
        .collect::<anyhow::Result<Vec<Listing>>>()?;

    out.set_len(0)
        .and_then(|()| (&mut &*out).seek(io::SeekFrom::Start(0)))
        .context(WRITE_FAILED)?;
    let mut zw = ZipOut::new(BufWriter::with_capacity(256 * 1024, out));
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut merged = Merged {
        entries: 0,
        bytes: 0,
    };
    for (pi, l) in listings.iter().enumerate() {
        for (ei, e) in l.entries.iter().enumerate() {
            cancel::check(cancel)?;
            if let Some(&(pj, ej)) = seen.get(e.path.as_str()) {
                let prev = &listings[pj].entries[ej];
                let same = prev.is_dir == e.is_dir
                    && (e.is_dir || {
                        let (a, b) = open.pair(pj, pi)?;
                        same_contents(
                            (a, &prev.raw, listings[pj].data_end),
                            (b, &e.raw, l.data_end),
                            &e.path,
                        )?
                    });
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
            let mut data = raw_reader(open.get(pi)?, &e.raw, l.data_end)?;
            zw.add(&name, e.is_dir, &e.raw, &mut data, cancel)?;
            merged.entries += 1;
            merged.bytes += e.size;
        }
    }
    let w = zw.finish().context(WRITE_FAILED)?;
    let f = w
        .into_inner()
        .map_err(|e| e.into_error())
        .context(WRITE_FAILED)?;
    f.sync_all().context(WRITE_FAILED)?;
    Ok(merged)
}

/// Reads one part's central directory and compares its own equal duplicates.
fn inspect_part(open: &mut OpenParts, i: usize, cancel: &AtomicBool) -> anyhow::Result<Listing> {
    let limits = Limits {
        max_size: u64::MAX,
        max_entries: MAX_ENTRIES,
    };
    let f = open.get(i)?;
    let l = inspect_file(f, &limits)?;
    for (k, other) in &l.dups {
        cancel::check(cancel)?;
        let e = &l.entries[*k];
        if !same_contents((f, &e.raw, l.data_end), (f, other, l.data_end), &e.path)? {
            return Err(ArchiveError::ConflictingDuplicate { name: esc(&e.path) }.into());
        }
    }
    Ok(l)
}

/// The batch files, opened on demand, the most recently used few kept open.
struct OpenParts<'p> {
    parts: &'p [(String, PathBuf)],
    open: Vec<(usize, File)>,
}

impl<'p> OpenParts<'p> {
    fn new(parts: &'p [(String, PathBuf)]) -> Self {
        OpenParts {
            parts,
            open: Vec::with_capacity(OPEN_PARTS),
        }
    }

    fn ensure(&mut self, i: usize) -> anyhow::Result<()> {
        if let Some(at) = self.open.iter().position(|(j, _)| *j == i) {
            let hit = self.open.remove(at);
            self.open.push(hit);
            return Ok(());
        }
        let (label, path) = self
            .parts
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("no batch {i}"))?;
        let f = File::open(path).with_context(|| format!("cannot open batch {label}"))?;
        if self.open.len() >= OPEN_PARTS {
            self.open.remove(0);
        }
        self.open.push((i, f));
        Ok(())
    }

    fn get(&mut self, i: usize) -> anyhow::Result<&File> {
        self.ensure(i)?;
        self.file(i)
    }

    /// Parts `a` and `b`, both open.
    fn pair(&mut self, a: usize, b: usize) -> anyhow::Result<(&File, &File)> {
        self.ensure(a)?;
        self.ensure(b)?;
        Ok((self.file(a)?, self.file(b)?))
    }

    fn file(&self, i: usize) -> anyhow::Result<&File> {
        self.open
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, f)| f)
            .ok_or_else(|| anyhow::anyhow!("batch {i} is not open"))
    }
}

/// A minimal zip writer for already-compressed entries (ZIP64 when needed).
pub(crate) struct ZipOut<W: Write> {
    w: W,
    pos: u64,
    cd: Vec<u8>,
    count: u64,
    /// The copy buffer, allocated on first use.
    buf: Vec<u8>,
}

const MAX32: u64 = u32::MAX as u64;

/// Appends little-endian fields to a record.
trait Put {
    fn put16(&mut self, v: u16);
    fn put32(&mut self, v: u32);
    fn put64(&mut self, v: u64);
}

impl Put for Vec<u8> {
    fn put16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
}

/// The 32-bit field for `v`, or the ZIP64 marker with `v` added to `z`.
fn field32(v: u64, z: &mut Vec<u8>) -> u32 {
    match u32::try_from(v) {
        Ok(small) if v < MAX32 => small,
        _ => {
            z.put64(v);
            u32::MAX
        }
    }
}

/// The ZIP64 extra field holding `z` (at most three 64-bit values), or
/// nothing when `z` is empty.
fn zip64_extra(z: &[u8]) -> Result<Vec<u8>, ArchiveError> {
    let mut extra = Vec::with_capacity(4 + z.len());
    if !z.is_empty() {
        let len = u16::try_from(z.len()).map_err(|_| ArchiveError::Corrupt {
            reason: format!("a ZIP64 extra field of {} bytes", z.len()),
        })?;
        extra.put16(super::format::EXTRA_ZIP64);
        extra.put16(len);
        extra.extend_from_slice(z);
    }
    Ok(extra)
}

/// The 16-bit lengths of an entry's name and extra field, as its headers
/// store them; a name too long for a zip is refused, not truncated.
fn lengths16(name: &str, extra: &[u8]) -> Result<(u16, u16), ArchiveError> {
    let name_len = u16::try_from(name.len()).map_err(|_| ArchiveError::NameTooLong {
        name: esc(&name.chars().take(60).collect::<String>()),
        len: name.len(),
    })?;
    let extra_len = u16::try_from(extra.len()).map_err(|_| ArchiveError::Corrupt {
        reason: format!(
            "the extra field of \"{}\" would be {} bytes",
            esc(name),
            extra.len()
        ),
    })?;
    Ok((name_len, extra_len))
}

impl<W: Write> ZipOut<W> {
    pub(crate) fn new(w: W) -> Self {
        ZipOut {
            w,
            pos: 0,
            cd: Vec::new(),
            count: 0,
            buf: Vec::new(),
        }
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.w.write_all(b)?;
        self.pos += b.len() as u64;
        Ok(())
    }

    /// Writes one entry whose stored (compressed) bytes come from `data`
    /// (exactly `raw.csize` bytes); `raw` gives method, CRC, sizes and time.
    /// A name longer than a zip can hold is [`ArchiveError::NameTooLong`],
    /// refused before anything of the entry is written. `cancel` is checked
    /// every [`COPY_CHUNK`] bytes ([`crate::cancel::Interrupted`]).
    pub(crate) fn add(
        &mut self,
        name: &str,
        is_dir: bool,
        raw: &Raw,
        data: &mut dyn Read,
        cancel: &AtomicBool,
    ) -> anyhow::Result<()> {
        let offset = self.pos;
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };
        let header = local_header(name, flags, raw)?;
        let record = central_record(name, flags, is_dir, raw, offset)?;
        self.put(&header).context(WRITE_FAILED)?;
        let copied = self.copy(data, raw.csize, cancel)?;
        if copied != raw.csize {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "source entry shorter than its compressed size",
            ))
            .context(WRITE_FAILED);
        }
        self.cd.extend_from_slice(&record);
        self.count += 1;
        Ok(())
    }

    /// Copies up to `len` bytes of `data`, a chunk at a time, checking
    /// `cancel` before each; returns how many there were.
    fn copy(&mut self, data: &mut dyn Read, len: u64, cancel: &AtomicBool) -> anyhow::Result<u64> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.resize(COPY_CHUNK, 0);
        let mut left = len;
        let copied = loop {
            if left == 0 {
                break Ok(len);
            }
            if let Err(interrupted) = cancel::check(cancel) {
                break Err(interrupted.into());
            }
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = match data.read(&mut buf[..want]) {
                Ok(0) => break Ok(len - left),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(anyhow::Error::new(e).context("cannot read a batch archive")),
            };
            if let Err(e) = self.put(&buf[..n]) {
                break Err(anyhow::Error::new(e).context(WRITE_FAILED));
            }
            left -= n as u64;
        };
        self.buf = buf;
        copied
    }

    pub(crate) fn finish(mut self) -> io::Result<W> {
        let cd_start = self.pos;
        let cd = std::mem::take(&mut self.cd);
        self.put(&cd)?;
        let cd_size = cd.len() as u64;
        let zip64 = self.count >= 0xFFFF || cd_start >= MAX32 || cd_size >= MAX32;
        if zip64 {
            let e = zip64_end(self.count, cd_size, cd_start, self.pos);
            self.put(&e)?;
        }
        let mut e = Vec::with_capacity(22);
        e.put32(SIG_EOCD);
        e.put16(0); // this disk
        e.put16(0); // the central directory's disk
        let n16 = if zip64 { 0xFFFF } else { self.count as u16 };
        e.put16(n16);
        e.put16(n16);
        e.put32(if zip64 { u32::MAX } else { cd_size as u32 });
        e.put32(if zip64 { u32::MAX } else { cd_start as u32 });
        e.put16(0); // comment
        self.put(&e)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// A local header with the sizes and CRC up front (no data descriptor).
fn local_header(name: &str, flags: u16, raw: &Raw) -> Result<Vec<u8>, ArchiveError> {
    let big = raw.size >= MAX32 || raw.csize >= MAX32;
    let mut z = Vec::new();
    if big {
        z.put64(raw.size);
        z.put64(raw.csize);
    }
    let extra = zip64_extra(&z)?;
    let (name_len, extra_len) = lengths16(name, &extra)?;
    let sz32 = |v: u64| if big { u32::MAX } else { v as u32 };
    let mut h = Vec::with_capacity(30 + name.len() + extra.len());
    h.put32(SIG_LOCAL);
    h.put16(if big { VERSION_ZIP64 } else { VERSION_DEFAULT });
    h.put16(flags);
    h.put16(raw.method);
    h.put16(raw.dos_time);
    h.put16(raw.dos_date);
    h.put32(raw.crc32);
    h.put32(sz32(raw.csize));
    h.put32(sz32(raw.size));
    h.put16(name_len);
    h.put16(extra_len);
    h.extend_from_slice(name.as_bytes());
    h.extend_from_slice(&extra);
    Ok(h)
}

/// The central directory record of an entry whose local header is at `offset`.
fn central_record(
    name: &str,
    flags: u16,
    is_dir: bool,
    raw: &Raw,
    offset: u64,
) -> Result<Vec<u8>, ArchiveError> {
    let mut z = Vec::new();
    let size32 = field32(raw.size, &mut z);
    let csize32 = field32(raw.csize, &mut z);
    let off32 = field32(offset, &mut z);
    let extra = zip64_extra(&z)?;
    let (name_len, extra_len) = lengths16(name, &extra)?;
    let mut c = Vec::with_capacity(46 + name.len() + extra.len());
    let needed = if z.is_empty() {
        VERSION_DEFAULT
    } else {
        VERSION_ZIP64
    };
    let mode: u32 = if is_dir { 0o040755 } else { 0o100644 };
    let attrs = (mode << 16) | if is_dir { 0x10 } else { 0 };
    c.put32(SIG_CENTRAL);
    c.put16((MADE_BY_UNIX << 8) | needed);
    c.put16(needed);
    c.put16(flags);
    c.put16(raw.method);
    c.put16(raw.dos_time);
    c.put16(raw.dos_date);
    c.put32(raw.crc32);
    c.put32(csize32);
    c.put32(size32);
    c.put16(name_len);
    c.put16(extra_len);
    c.put16(0); // comment
    c.put16(0); // disk
    c.put16(0); // internal attributes
    c.put32(attrs);
    c.put32(off32);
    c.extend_from_slice(name.as_bytes());
    c.extend_from_slice(&extra);
    Ok(c)
}

/// The ZIP64 end of central directory record and its locator.
fn zip64_end(count: u64, cd_size: u64, cd_start: u64, pos: u64) -> Vec<u8> {
    let mut e = Vec::with_capacity(76);
    e.put32(SIG_EOCD64);
    e.put64(44); // size of the rest of the record
    e.put16((MADE_BY_UNIX << 8) | VERSION_ZIP64);
    e.put16(VERSION_ZIP64);
    e.put32(0); // this disk
    e.put32(0); // the central directory's disk
    e.put64(count);
    e.put64(count);
    e.put64(cd_size);
    e.put64(cd_start);
    e.put32(SIG_LOCATOR64);
    e.put32(0); // the ZIP64 end record's disk
    e.put64(pos);
    e.put32(1); // disks
    e
}
