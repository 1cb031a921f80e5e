//! Parsing the central directory ([`inspect`]), in its phases: the end of
//! central directory record (and its ZIP64 form), the records, the checks of
//! each entry, and the tree of names.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::entry::{read_exact_at, PosReader};
use super::format::{
    corrupt, zip64_field, Le, CENTRAL_LEN, EOCD64_LEN, EOCD_LEN, FLAG_ENCRYPTED,
    FLAG_STRONG_ENCRYPTION, FLAG_UTF8, LOCAL_LEN, LOCATOR64_LEN, MADE_BY_UNIX, METHOD_DEFLATED,
    METHOD_STORED, SIG_CENTRAL, SIG_EOCD, SIG_EOCD64, SIG_LOCATOR64,
};
use super::names::{decode_name, validate_name};
use super::tree::Tree;
use super::{esc, ArchiveError, Entry, Limits, Listing, Raw};

/// Reads the central directory of `zip_path`; see [`inspect_file`].
pub fn inspect(zip_path: &Path, limits: &Limits) -> Result<Listing, ArchiveError> {
    let file = File::open(zip_path)
        .map_err(|e| corrupt(format!("cannot open {}: {e}", zip_path.display())))?;
    inspect_file(&file, limits)
}

/// Reads the central directory of an open archive; decodes and validates
/// every name, type, count and declared size, and builds the tree of names.
/// Does not inflate (extraction checks the data).
///
/// This is also the "is this a complete zip" check: a truncated file fails
/// with [`ArchiveError::Corrupt`]. It reads through `file` with positional
/// reads only, so it can check the very file a download wrote.
pub fn inspect_file(file: &File, limits: &Limits) -> Result<Listing, ArchiveError> {
    let len = file.metadata().map_err(io_error)?.len();
    let end = find_end(file, len)?;
    if end.count > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            count: end.count,
            max: limits.max_entries,
        });
    }
    let kept = read_records(file, &end, limits)?;
    let tree = Tree::build(&kept.entries)?;
    Ok(Listing {
        entries: kept.entries,
        total_size: kept.total,
        dups: kept.dups,
        data_end: end.cd_off,
        tree,
    })
}

fn io_error(e: io::Error) -> ArchiveError {
    corrupt(format!("read error: {e}"))
}

/// Where the central directory is, from the end records.
#[derive(Debug)]
struct End {
    count: u64,
    cd_off: u64,
    cd_end: u64,
}

/// The end of central directory record (its comment must end the file
/// exactly), and the ZIP64 end record when the classic one says so.
fn find_end(file: &File, len: u64) -> Result<End, ArchiveError> {
    if len < EOCD_LEN as u64 {
        return Err(corrupt("too short to be a zip file"));
    }
    let tail_len = len.min((EOCD_LEN + 0xFFFF) as u64) as usize;
    let mut tail = vec![0u8; tail_len];
    read_exact_at(file, &mut tail, len - tail_len as u64).map_err(io_error)?;
    let p = (0..=tail_len - EOCD_LEN)
        .rev()
        .find(|&p| is_eocd_at(&tail, p))
        .ok_or_else(|| {
            corrupt("no end of central directory record (truncated or not a zip file)")
        })?;
    let eocd_pos = len - tail_len as u64 + p as u64;
    let mut c = Le::at(&tail, p + 4, "end of central directory record");
    let (disk, cd_disk) = (c.u16()?, c.u16()?);
    let (n_disk, n_total) = (c.u16()?, c.u16()?);
    let (cd_size32, cd_off32) = (c.u32()?, c.u32()?);

    let end =
        if n_total == 0xFFFF || n_disk == 0xFFFF || cd_size32 == u32::MAX || cd_off32 == u32::MAX {
            zip64_end(file, eocd_pos)?
        } else {
            if disk != 0 || cd_disk != 0 || n_disk != n_total {
                return Err(corrupt("multi-disk archives are not supported"));
            }
            let (cd_off, cd_size) = (u64::from(cd_off32), u64::from(cd_size32));
            if cd_off.checked_add(cd_size) != Some(eocd_pos) {
                return Err(misplaced());
            }
            End {
                count: u64::from(n_total),
                cd_off,
                cd_end: eocd_pos,
            }
        };
    if end.count.saturating_mul(CENTRAL_LEN as u64) > end.cd_end - end.cd_off {
        return Err(corrupt("central directory too small for its entry count"));
    }
    Ok(end)
}

fn is_eocd_at(tail: &[u8], p: usize) -> bool {
    let mut c = Le::at(tail, p, "end record");
    let sig = c.u32();
    let mut comment = Le::at(tail, p + 20, "end record");
    matches!((sig, comment.u16()), (Ok(SIG_EOCD), Ok(n)) if p + EOCD_LEN + usize::from(n) == tail.len())
}

fn misplaced() -> ArchiveError {
    corrupt("central directory is not where the end record says (truncated, or data prepended)")
}

/// The ZIP64 locator just before the classic end record, and the ZIP64 end
/// record it points at.
fn zip64_end(file: &File, eocd_pos: u64) -> Result<End, ArchiveError> {
    let missing = || corrupt("missing ZIP64 end of central directory locator");
    let loc_pos = eocd_pos
        .checked_sub(LOCATOR64_LEN as u64)
        .ok_or_else(missing)?;
    let mut loc = [0u8; LOCATOR64_LEN];
    read_exact_at(file, &mut loc, loc_pos).map_err(io_error)?;
    let mut c = Le::new(&loc, "ZIP64 locator");
    if c.u32()? != SIG_LOCATOR64 {
        return Err(missing());
    }
    let (loc_disk, e64_off, disks) = (c.u32()?, c.u64()?, c.u32()?);
    if loc_disk != 0 || disks > 1 {
        return Err(corrupt("multi-disk archives are not supported"));
    }
    if e64_off
        .checked_add(EOCD64_LEN as u64)
        .is_none_or(|end| end > loc_pos)
    {
        return Err(corrupt("bad ZIP64 end of central directory offset"));
    }
    let mut e64 = [0u8; EOCD64_LEN];
    read_exact_at(file, &mut e64, e64_off).map_err(io_error)?;
    let mut c = Le::new(&e64, "ZIP64 end record");
    if c.u32()? != SIG_EOCD64 {
        return Err(corrupt("bad ZIP64 end of central directory record"));
    }
    c.skip(12)?; // record size, versions
    let (disk, cd_disk) = (c.u32()?, c.u32()?);
    let (n_disk, count) = (c.u64()?, c.u64()?);
    let (cd_size, cd_off) = (c.u64()?, c.u64()?);
    if disk != 0 || cd_disk != 0 || n_disk != count {
        return Err(corrupt("multi-disk archives are not supported"));
    }
    if cd_off.checked_add(cd_size) != Some(e64_off) {
        return Err(misplaced());
    }
    Ok(End {
        count,
        cd_off,
        cd_end: e64_off,
    })
}

/// One central directory record, as stored.
struct Record {
    made_by: u16,
    flags: u16,
    method: u16,
    dos_time: u16,
    dos_date: u16,
    crc32: u32,
    csize32: u32,
    size32: u32,
    disk_start: u16,
    ext_attr: u32,
    off32: u32,
    name_raw: Vec<u8>,
    extra: Vec<u8>,
}

type CdReader<'f> = BufReader<PosReader<'f>>;

fn cd_read(cd: &mut CdReader, buf: &mut [u8]) -> Result<(), ArchiveError> {
    cd.read_exact(buf)
        .map_err(|e| corrupt(format!("reading central directory: {e}")))
}

impl Record {
    fn read(cd: &mut CdReader) -> Result<Record, ArchiveError> {
        let mut hdr = [0u8; CENTRAL_LEN];
        cd_read(cd, &mut hdr)?;
        let mut c = Le::new(&hdr, "central directory record");
        if c.u32()? != SIG_CENTRAL {
            return Err(corrupt("bad central directory record signature"));
        }
        let made_by = c.u16()?;
        c.skip(2)?; // version needed
        let (flags, method) = (c.u16()?, c.u16()?);
        let (dos_time, dos_date) = (c.u16()?, c.u16()?);
        let crc32 = c.u32()?;
        let (csize32, size32) = (c.u32()?, c.u32()?);
        let (n_len, e_len, c_len) = (c.u16()?, c.u16()?, c.u16()?);
        let disk_start = c.u16()?;
        c.skip(2)?; // internal attributes
        let ext_attr = c.u32()?;
        let off32 = c.u32()?;
        let mut name_raw = vec![0u8; usize::from(n_len)];
        cd_read(cd, &mut name_raw)?;
        let mut extra = vec![0u8; usize::from(e_len)];
        cd_read(cd, &mut extra)?;
        io::copy(&mut cd.take(u64::from(c_len)), &mut io::sink())
            .map_err(|e| corrupt(format!("reading central directory: {e}")))?;
        Ok(Record {
            made_by,
            flags,
            method,
            dos_time,
            dos_date,
            crc32,
            csize32,
            size32,
            disk_start,
            ext_attr,
            off32,
            name_raw,
            extra,
        })
    }

    /// (size, compressed size, local header offset), through the ZIP64 field.
    fn sizes(&self, shown: &str) -> Result<(u64, u64, u64), ArchiveError> {
        let (mut size, mut csize, mut offset) = (
            u64::from(self.size32),
            u64::from(self.csize32),
            u64::from(self.off32),
        );
        let wide = |v: u32| v == u32::MAX;
        if !(wide(self.size32)
            || wide(self.csize32)
            || wide(self.off32)
            || self.disk_start == 0xFFFF)
        {
            return Ok((size, csize, offset));
        }
        let field = zip64_field(&self.extra)?
            .ok_or_else(|| corrupt(format!("\"{shown}\": missing ZIP64 extra field")))?;
        let mut c = Le::new(field, "ZIP64 extra field");
        let short = |_| corrupt(format!("\"{shown}\": short ZIP64 extra field"));
        if wide(self.size32) {
            size = c.u64().map_err(short)?;
        }
        if wide(self.csize32) {
            csize = c.u64().map_err(short)?;
        }
        if wide(self.off32) {
            offset = c.u64().map_err(short)?;
        }
        Ok((size, csize, offset))
    }
}

/// The records, validated, with equal duplicates set aside.
fn read_records(file: &File, end: &End, limits: &Limits) -> Result<Kept, ArchiveError> {
    let mut cd = BufReader::with_capacity(
        64 * 1024,
        PosReader {
            file,
            pos: end.cd_off,
            end: end.cd_end,
        },
    );
    let count = usize::try_from(end.count).map_err(|_| corrupt("too many entries"))?;
    let mut kept = Kept {
        entries: Vec::with_capacity(count),
        dups: Vec::new(),
        by_path: HashMap::with_capacity(count),
        total: 0,
        max_size: limits.max_size,
    };
    for index in 0..count {
        let record = Record::read(&mut cd)?;
        let entry = check_entry(index, record, end.cd_off, limits)?;
        kept.add(entry)?;
    }
    if cd.buffer().len() as u64 + (cd.get_ref().end - cd.get_ref().pos) != 0 {
        return Err(corrupt("central directory larger than its entries"));
    }
    Ok(kept)
}

/// One record's checks: name, encryption, method, sizes, file type, position.
fn check_entry(
    index: usize,
    record: Record,
    cd_off: u64,
    limits: &Limits,
) -> Result<Entry, ArchiveError> {
    // Name first, so later errors can name the entry.
    let name = decode_name(&record.name_raw, record.flags & FLAG_UTF8 != 0)?;
    let (path, is_dir) = validate_name(&name).map_err(|reason| ArchiveError::UnsafePath {
        name: esc(&name),
        reason,
    })?;
    let shown = esc(&name);
    let (size, csize, offset) = record.sizes(&shown)?;
    if record.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
        return Err(ArchiveError::Unsupported {
            name: shown,
            reason: "encrypted",
        });
    }
    if record.method != METHOD_STORED && record.method != METHOD_DEFLATED {
        return Err(ArchiveError::Unsupported {
            name: shown,
            reason: "compression method other than stored or deflated",
        });
    }
    if record.method == METHOD_STORED && csize != size {
        return Err(ArchiveError::SizeMismatch { name: shown });
    }
    check_file_type(&record, is_dir, &shown)?;
    if is_dir && size != 0 {
        return Err(corrupt(format!("directory \"{shown}\" has contents")));
    }
    if offset
        .checked_add((LOCAL_LEN + record.name_raw.len()) as u64)
        .and_then(|v| v.checked_add(csize))
        .is_none_or(|end| end > cd_off)
    {
        return Err(corrupt(format!(
            "\"{shown}\": entry data runs into the central directory"
        )));
    }
    if size > limits.max_size {
        return Err(ArchiveError::TooLarge {
            total: size,
            max: limits.max_size,
        });
    }
    Ok(Entry {
        index,
        path,
        is_dir,
        size,
        crc32: record.crc32,
        raw: Raw {
            name_raw: record.name_raw,
            method: record.method,
            dos_time: record.dos_time,
            dos_date: record.dos_date,
            crc32: record.crc32,
            csize,
            size,
            header_offset: offset,
        },
    })
}

/// The Unix file type, when the archive says it was made on Unix: only
/// regular files and folders, and the type must agree with the trailing slash.
fn check_file_type(record: &Record, is_dir: bool, shown: &str) -> Result<(), ArchiveError> {
    if record.made_by >> 8 != MADE_BY_UNIX {
        return Ok(());
    }
    match (record.ext_attr >> 16) & 0o170000 {
        0 => Ok(()),
        0o100000 if !is_dir => Ok(()),
        0o040000 if is_dir => Ok(()),
        0o100000 | 0o040000 => Err(ArchiveError::UnsafePath {
            name: shown.to_string(),
            reason: "file type disagrees with the trailing slash",
        }),
        _ => Err(ArchiveError::SpecialFile {
            name: shown.to_string(),
        }),
    }
}

/// The entries kept so far, by path, and the running total size.
struct Kept {
    entries: Vec<Entry>,
    dups: Vec<(usize, Raw)>,
    by_path: HashMap<String, usize>,
    total: u64,
    max_size: u64,
}

impl Kept {
    /// Keeps `e`, or sets it aside as a duplicate of an equal earlier entry
    /// (same type, size and CRC: its bytes are compared while extracting).
    fn add(&mut self, e: Entry) -> Result<(), ArchiveError> {
        if let Some(&k) = self.by_path.get(&e.path) {
            let kept = &self.entries[k];
            if kept.is_dir != e.is_dir || kept.size != e.size || kept.crc32 != e.crc32 {
                return Err(ArchiveError::ConflictingDuplicate { name: esc(&e.path) });
            }
            if !e.is_dir && kept.raw.header_offset != e.raw.header_offset {
                self.dups.push((k, e.raw));
            }
            return Ok(());
        }
        if !e.is_dir {
            self.total = self.total.saturating_add(e.size);
            if self.total > self.max_size {
                return Err(ArchiveError::TooLarge {
                    total: self.total,
                    max: self.max_size,
                });
            }
        }
        self.by_path.insert(e.path.clone(), self.entries.len());
        self.entries.push(e);
        Ok(())
    }
}
