//! Parsing the central directory ([`inspect`]) and reading entry data.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::names::{decode_name, validate_name};
use super::{esc, ArchiveError, Entry, Limits, Listing, Raw};

const SIG_LOCAL: u32 = 0x0403_4b50;
const SIG_CENTRAL: u32 = 0x0201_4b50;
const SIG_EOCD: u32 = 0x0605_4b50;
const SIG_EOCD64: u32 = 0x0606_4b50;
const SIG_LOCATOR64: u32 = 0x0706_4b50;

pub(crate) const METHOD_STORED: u16 = 0;
pub(crate) const METHOD_DEFLATED: u16 = 8;

const FLAG_ENCRYPTED: u16 = 1;
const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
const FLAG_UTF8: u16 = 1 << 11;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | (u64::from(u32_at(b, at + 4)) << 32)
}

fn corrupt(reason: impl Into<String>) -> ArchiveError {
    ArchiveError::Corrupt {
        reason: reason.into(),
    }
}

/// Positional read, not moving any shared cursor (so threads can share a `File`).
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A reader over `[pos, end)` of a file.
pub(crate) struct PosReader<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
}

impl Read for PosReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end - self.pos;
        let n = (buf.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        let n = read_at(self.file, &mut buf[..n], self.pos)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Read the central directory of `zip_path`; decode and validate every name,
/// type, count and declared size. Does not inflate.
///
/// This is also the "is this a complete zip" check: a truncated file fails
/// with [`ArchiveError::Corrupt`].
pub fn inspect(zip_path: &Path, limits: &Limits) -> Result<Listing, ArchiveError> {
    let file = File::open(zip_path)
        .map_err(|e| corrupt(format!("cannot open {}: {e}", zip_path.display())))?;
    inspect_file(&file, limits)
}

pub(crate) fn inspect_file(file: &File, limits: &Limits) -> Result<Listing, ArchiveError> {
    let io_err = |e: io::Error| corrupt(format!("read error: {e}"));
    let len = file.metadata().map_err(io_err)?.len();
    if len < 22 {
        return Err(corrupt("too short to be a zip file"));
    }

    // End of central directory record: its comment must end the file exactly.
    let tail_len = len.min(22 + 0xFFFF) as usize;
    let mut tail = vec![0u8; tail_len];
    read_exact_at(file, &mut tail, len - tail_len as u64).map_err(io_err)?;
    let p = (0..=tail_len - 22)
        .rev()
        .find(|&p| {
            u32_at(&tail, p) == SIG_EOCD && p + 22 + u16_at(&tail, p + 20) as usize == tail_len
        })
        .ok_or_else(|| {
            corrupt("no end of central directory record (truncated or not a zip file)")
        })?;
    let eocd_pos = len - tail_len as u64 + p as u64;
    let e = &tail[p..p + 22];
    let (disk, cd_disk) = (u16_at(e, 4), u16_at(e, 6));
    let (n_disk, n_total) = (u16_at(e, 8), u16_at(e, 10));
    let (cd_size32, cd_off32) = (u32_at(e, 12), u32_at(e, 16));

    let (count, cd_size, cd_off, cd_end);
    if n_total == 0xFFFF || n_disk == 0xFFFF || cd_size32 == u32::MAX || cd_off32 == u32::MAX {
        // ZIP64: locator just before the EOCD, pointing at the ZIP64 EOCD.
        if eocd_pos < 20 {
            return Err(corrupt("missing ZIP64 end of central directory locator"));
        }
        let mut loc = [0u8; 20];
        read_exact_at(file, &mut loc, eocd_pos - 20).map_err(io_err)?;
        if u32_at(&loc, 0) != SIG_LOCATOR64 {
            return Err(corrupt("missing ZIP64 end of central directory locator"));
        }
        let (loc_disk, e64_off, disks) = (u32_at(&loc, 4), u64_at(&loc, 8), u32_at(&loc, 16));
        if loc_disk != 0 || disks > 1 {
            return Err(corrupt("multi-disk archives are not supported"));
        }
        if e64_off
            .checked_add(56)
            .is_none_or(|end| end > eocd_pos - 20)
        {
            return Err(corrupt("bad ZIP64 end of central directory offset"));
        }
        let mut e64 = [0u8; 56];
        read_exact_at(file, &mut e64, e64_off).map_err(io_err)?;
        if u32_at(&e64, 0) != SIG_EOCD64 {
            return Err(corrupt("bad ZIP64 end of central directory record"));
        }
        if u32_at(&e64, 16) != 0 || u32_at(&e64, 20) != 0 || u64_at(&e64, 24) != u64_at(&e64, 32) {
            return Err(corrupt("multi-disk archives are not supported"));
        }
        count = u64_at(&e64, 32);
        cd_size = u64_at(&e64, 40);
        cd_off = u64_at(&e64, 48);
        cd_end = e64_off;
    } else {
        if disk != 0 || cd_disk != 0 || n_disk != n_total {
            return Err(corrupt("multi-disk archives are not supported"));
        }
        count = u64::from(n_total);
        cd_size = u64::from(cd_size32);
        cd_off = u64::from(cd_off32);
        cd_end = eocd_pos;
    }
    if cd_off.checked_add(cd_size) != Some(cd_end) {
        return Err(corrupt(
            "central directory is not where the end record says (truncated, or data prepended)",
        ));
    }
    if count > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            count,
            max: limits.max_entries,
        });
    }
    if count.saturating_mul(46) > cd_size {
        return Err(corrupt("central directory too small for its entry count"));
    }

    let mut cd = BufReader::with_capacity(
        64 * 1024,
        PosReader {
            file,
            pos: cd_off,
            end: cd_end,
        },
    );
    let cd_read = |cd: &mut BufReader<PosReader>, buf: &mut [u8]| {
        cd.read_exact(buf)
            .map_err(|e| corrupt(format!("reading central directory: {e}")))
    };

    let mut entries: Vec<Entry> = Vec::with_capacity(count as usize);
    let mut dups = Vec::new();
    let mut by_path: HashMap<String, usize> = HashMap::with_capacity(count as usize);
    let mut total: u64 = 0;
    let mut hdr = [0u8; 46];
    let mut extra = Vec::new();
    for index in 0..count as usize {
        cd_read(&mut cd, &mut hdr)?;
        if u32_at(&hdr, 0) != SIG_CENTRAL {
            return Err(corrupt("bad central directory record signature"));
        }
        let made_by = u16_at(&hdr, 4);
        let flags = u16_at(&hdr, 8);
        let method = u16_at(&hdr, 10);
        let (dos_time, dos_date) = (u16_at(&hdr, 12), u16_at(&hdr, 14));
        let crc32 = u32_at(&hdr, 16);
        let (csize32, size32) = (u32_at(&hdr, 20), u32_at(&hdr, 24));
        let (n_len, e_len, c_len) = (u16_at(&hdr, 28), u16_at(&hdr, 30), u16_at(&hdr, 32));
        let disk_start = u16_at(&hdr, 34);
        let ext_attr = u32_at(&hdr, 38);
        let off32 = u32_at(&hdr, 42);
        let mut name_raw = vec![0u8; n_len as usize];
        cd_read(&mut cd, &mut name_raw)?;
        extra.resize(e_len as usize, 0);
        cd_read(&mut cd, &mut extra)?;
        io::copy(&mut (&mut cd).take(u64::from(c_len)), &mut io::sink())
            .map_err(|e| corrupt(format!("reading central directory: {e}")))?;

        // Name first, so later errors can name the entry.
        let name = decode_name(&name_raw, flags & FLAG_UTF8 != 0)?;
        let (path, is_dir) = validate_name(&name).map_err(|reason| ArchiveError::UnsafePath {
            name: esc(&name),
            reason,
        })?;
        let shown = || esc(&name);

        // ZIP64 extended information.
        let (mut size, mut csize, mut offset) =
            (u64::from(size32), u64::from(csize32), u64::from(off32));
        if size32 == u32::MAX || csize32 == u32::MAX || off32 == u32::MAX || disk_start == 0xFFFF {
            let mut z = None;
            let mut i = 0;
            while i + 4 <= extra.len() {
                let (id, sz) = (u16_at(&extra, i), u16_at(&extra, i + 2) as usize);
                let data = extra
                    .get(i + 4..i + 4 + sz)
                    .ok_or_else(|| corrupt("bad extra field"))?;
                if id == 1 {
                    z = Some(data);
                    break;
                }
                i += 4 + sz;
            }
            let z =
                z.ok_or_else(|| corrupt(format!("\"{}\": missing ZIP64 extra field", shown())))?;
            let mut at = 0;
            let mut next = |v: &mut u64| -> Result<(), ArchiveError> {
                let b = z
                    .get(at..at + 8)
                    .ok_or_else(|| corrupt(format!("\"{}\": short ZIP64 extra field", shown())))?;
                *v = u64_at(b, 0);
                at += 8;
                Ok(())
            };
            if size32 == u32::MAX {
                next(&mut size)?;
            }
            if csize32 == u32::MAX {
                next(&mut csize)?;
            }
            if off32 == u32::MAX {
                next(&mut offset)?;
            }
        }

        if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(ArchiveError::Unsupported {
                name: shown(),
                reason: "encrypted",
            });
        }
        if method != METHOD_STORED && method != METHOD_DEFLATED {
            return Err(ArchiveError::Unsupported {
                name: shown(),
                reason: "compression method other than stored or deflated",
            });
        }
        if method == METHOD_STORED && csize != size {
            return Err(ArchiveError::SizeMismatch { name: shown() });
        }
        // Unix file type, when the archive says it was made on unix.
        if made_by >> 8 == 3 {
            match (ext_attr >> 16) & 0o170000 {
                0 => {}
                0o100000 if !is_dir => {}
                0o040000 if is_dir => {}
                0o100000 | 0o040000 => {
                    return Err(ArchiveError::UnsafePath {
                        name: shown(),
                        reason: "file type disagrees with the trailing slash",
                    })
                }
                _ => return Err(ArchiveError::SpecialFile { name: shown() }),
            }
        }
        if is_dir && size != 0 {
            return Err(corrupt(format!("directory \"{}\" has contents", shown())));
        }
        if offset
            .checked_add(30 + u64::from(n_len))
            .and_then(|v| v.checked_add(csize))
            .is_none_or(|end| end > cd_off)
        {
            return Err(corrupt(format!(
                "\"{}\": entry data runs into the central directory",
                shown()
            )));
        }
        if size > limits.max_size {
            return Err(ArchiveError::TooLarge {
                total: size,
                max: limits.max_size,
            });
        }

        let raw = Raw {
            name_raw,
            method,
            dos_time,
            dos_date,
            crc32,
            csize,
            size,
            header_offset: offset,
        };
        if let Some(&k) = by_path.get(&path) {
            let kept = &entries[k];
            if kept.is_dir != is_dir || kept.size != size || kept.crc32 != crc32 {
                return Err(ArchiveError::ConflictingDuplicate { name: esc(&path) });
            }
            if !is_dir && kept.raw.header_offset != offset {
                dups.push((k, raw));
            }
            continue;
        }
        if !is_dir {
            total = total.saturating_add(size);
            if total > limits.max_size {
                return Err(ArchiveError::TooLarge {
                    total,
                    max: limits.max_size,
                });
            }
        }
        by_path.insert(path.clone(), entries.len());
        entries.push(Entry {
            index,
            path,
            is_dir,
            size,
            crc32,
            raw,
        });
    }
    if cd.buffer().len() as u64 + (cd.get_ref().end - cd.get_ref().pos) != 0 {
        return Err(corrupt("central directory larger than its entries"));
    }

    // A file may not also be used as a directory (`a` and `a/b`).
    let files: HashSet<&str> = entries
        .iter()
        .filter(|e| !e.is_dir)
        .map(|e| e.path.as_str())
        .collect();
    for e in &entries {
        for (i, _) in e.path.match_indices('/') {
            if files.contains(&e.path[..i]) {
                return Err(ArchiveError::ConflictingDuplicate {
                    name: esc(&e.path[..i]),
                });
            }
        }
    }

    Ok(Listing {
        entries,
        total_size: total,
        dups,
        data_end: cd_off,
    })
}

/// Check an entry's local header against its central record; return where its data starts.
pub(crate) fn data_start(file: &File, raw: &Raw, data_end: u64) -> Result<u64, ArchiveError> {
    let mut h = [0u8; 30];
    let bad = |what: &str| corrupt(format!("\"{}\": {what}", raw.name_raw.escape_ascii()));
    read_exact_at(file, &mut h, raw.header_offset).map_err(|_| bad("local header unreadable"))?;
    if u32_at(&h, 0) != SIG_LOCAL {
        return Err(bad("bad local header signature"));
    }
    if u16_at(&h, 8) != raw.method {
        return Err(bad("local header disagrees with central directory"));
    }
    let (n_len, e_len) = (u16_at(&h, 26) as usize, u16_at(&h, 28) as u64);
    if n_len != raw.name_raw.len() {
        return Err(bad("local header name differs from central directory"));
    }
    let mut name = vec![0u8; n_len];
    read_exact_at(file, &mut name, raw.header_offset + 30)
        .map_err(|_| bad("local header unreadable"))?;
    if name != raw.name_raw {
        return Err(bad("local header name differs from central directory"));
    }
    let start = raw.header_offset + 30 + n_len as u64 + e_len;
    if start
        .checked_add(raw.csize)
        .is_none_or(|end| end > data_end)
    {
        return Err(bad("entry data runs into the central directory"));
    }
    Ok(start)
}

/// Stored bytes of an entry (compressed data), positioned after its local header.
pub(crate) fn raw_reader<'f>(
    file: &'f File,
    raw: &Raw,
    data_end: u64,
) -> Result<PosReader<'f>, ArchiveError> {
    let start = data_start(file, raw, data_end)?;
    Ok(PosReader {
        file,
        pos: start,
        end: start + raw.csize,
    })
}

enum Inner<'f> {
    Stored(PosReader<'f>),
    Deflated(Box<flate2::bufread::DeflateDecoder<BufReader<PosReader<'f>>>>),
}

/// Reads an entry's uncompressed contents, failing with an [`ArchiveError`]
/// (wrapped in `io::Error`) if it inflates past or short of its declared
/// size or fails its CRC. Never yields more than the declared size.
pub(crate) struct EntryReader<'f> {
    inner: Inner<'f>,
    declared: u64,
    total: u64,
    crc: flate2::Crc,
    expect_crc: u32,
    name: &'f str,
}

impl<'f> EntryReader<'f> {
    pub(crate) fn open(
        file: &'f File,
        raw: &Raw,
        data_end: u64,
        name: &'f str,
    ) -> Result<Self, ArchiveError> {
        let r = raw_reader(file, raw, data_end)?;
        let inner = if raw.method == METHOD_DEFLATED {
            let cap = raw.csize.clamp(512, 64 * 1024) as usize;
            Inner::Deflated(Box::new(flate2::bufread::DeflateDecoder::new(
                BufReader::with_capacity(cap, r),
            )))
        } else {
            Inner::Stored(r)
        };
        Ok(EntryReader {
            inner,
            declared: raw.size,
            total: 0,
            crc: flate2::Crc::new(),
            expect_crc: raw.crc32,
            name,
        })
    }

    fn fail(&self, e: ArchiveError) -> io::Error {
        io::Error::other(e)
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Allow one byte past the declared size, to notice an entry that inflates further.
        let want = (buf.len() as u64).min(self.declared + 1 - self.total) as usize;
        let got = match &mut self.inner {
            Inner::Stored(r) => r.read(&mut buf[..want]),
            Inner::Deflated(r) => r.read(&mut buf[..want]),
        };
        let n = match got {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                return Err(self.fail(corrupt(format!("\"{}\": {e}", esc(self.name)))));
            }
        };
        self.total += n as u64;
        if self.total > self.declared || (n == 0 && self.total != self.declared) {
            return Err(self.fail(ArchiveError::SizeMismatch {
                name: esc(self.name),
            }));
        }
        if n == 0 {
            if self.crc.sum() != self.expect_crc {
                return Err(self.fail(ArchiveError::Crc {
                    name: esc(self.name),
                }));
            }
            return Ok(0);
        }
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

/// Turn an `io::Error` from an [`EntryReader`] back into its [`ArchiveError`].
pub(crate) fn lift(e: io::Error) -> anyhow::Error {
    if e.get_ref().is_some_and(|i| i.is::<ArchiveError>()) {
        if let Some(Ok(ae)) = e.into_inner().map(|inner| inner.downcast::<ArchiveError>()) {
            return anyhow::Error::new(*ae);
        }
        return anyhow::anyhow!("an archive error was lost");
    }
    anyhow::Error::new(e)
}

/// Whether two entries (possibly in different files) have the same contents.
pub(crate) fn same_contents(
    a: (&File, &Raw, u64),
    b: (&File, &Raw, u64),
    name: &str,
) -> anyhow::Result<bool> {
    if a.1.size != b.1.size || a.1.crc32 != b.1.crc32 {
        return Ok(false);
    }
    let mut ra = EntryReader::open(a.0, a.1, a.2, name)?;
    let mut rb = EntryReader::open(b.0, b.1, b.2, name)?;
    let mut ba = vec![0u8; 64 * 1024];
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let n = read_full(&mut ra, &mut ba).map_err(lift)?;
        let m = read_full(&mut rb, &mut bb).map_err(lift)?;
        if n != m || ba[..n] != bb[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Fill `buf` as far as the reader allows; returns the count (less only at end).
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
