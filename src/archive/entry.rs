//! Reading an entry's data: its local header checked against its central
//! record (name, method, sizes, CRC, and the data descriptor that follows the
//! data when flag bit 3 says so), then its bytes inflated with the size and
//! CRC checked and the compressed stream required to end exactly where the
//! entry's compressed size says.

use std::fs::File;
use std::io::{self, BufReader, Read};

use flate2::{Decompress, FlushDecompress, Status};

use super::format::{
    corrupt, zip64_field, Le, FLAG_DESCRIPTOR, LOCAL_LEN, METHOD_DEFLATED, SIG_DESCRIPTOR,
    SIG_LOCAL,
};
use super::{esc, ArchiveError, Raw};
use crate::fsx::read_full;

pub(crate) use crate::fsx::{read_at, read_exact_at};

/// A reader over `[pos, end)` of a file.
pub(crate) struct PosReader<'f> {
    pub(crate) file: &'f File,
    pub(crate) pos: u64,
    pub(crate) end: u64,
}

impl Read for PosReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
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

/// The local header of an entry, as far as it is compared with the central record.
struct Local {
    flags: u16,
    method: u16,
    crc32: u32,
    csize32: u32,
    size32: u32,
    name_len: usize,
    extra_len: usize,
}

impl Local {
    fn parse(h: &[u8]) -> Result<Local, ArchiveError> {
        let mut c = Le::new(h, "local header");
        if c.u32()? != SIG_LOCAL {
            return Err(corrupt("bad local header signature"));
        }
        c.skip(2)?; // version needed
        let flags = c.u16()?;
        let method = c.u16()?;
        c.skip(4)?; // time, date
        let crc32 = c.u32()?;
        let csize32 = c.u32()?;
        let size32 = c.u32()?;
        let name_len = usize::from(c.u16()?);
        let extra_len = usize::from(c.u16()?);
        Ok(Local {
            flags,
            method,
            crc32,
            csize32,
            size32,
            name_len,
            extra_len,
        })
    }
}

/// Checks an entry's local header (and data descriptor) against its central
/// record; returns where its data starts.
pub(crate) fn data_start(file: &File, raw: &Raw, data_end: u64) -> Result<u64, ArchiveError> {
    let bad = |what: &str| corrupt(format!("\"{}\": {what}", raw.name_raw.escape_ascii()));
    let unreadable = |_| bad("local header unreadable");
    let mut h = [0u8; LOCAL_LEN];
    read_exact_at(file, &mut h, raw.header_offset).map_err(unreadable)?;
    let local = Local::parse(&h).map_err(|_| bad("bad local header signature"))?;
    if local.method != raw.method {
        return Err(bad(
            "local header's method differs from the central directory",
        ));
    }
    if local.name_len != raw.name_raw.len() {
        return Err(bad(
            "local header's name differs from the central directory",
        ));
    }
    let mut rest = vec![0u8; local.name_len + local.extra_len];
    read_exact_at(file, &mut rest, raw.header_offset + LOCAL_LEN as u64).map_err(unreadable)?;
    let (name, extra) = rest.split_at(local.name_len);
    if name != raw.name_raw {
        return Err(bad(
            "local header's name differs from the central directory",
        ));
    }
    let start = raw.header_offset + (LOCAL_LEN + local.name_len + local.extra_len) as u64;
    let data_stop = start
        .checked_add(raw.csize)
        .filter(|&end| end <= data_end)
        .ok_or_else(|| bad("entry data runs into the central directory"))?;
    let zip64 = zip64_field(extra).map_err(|_| bad("bad extra field in the local header"))?;
    if local.flags & FLAG_DESCRIPTOR == 0 {
        if local_sizes(&local, zip64) != Some((raw.size, raw.csize)) || local.crc32 != raw.crc32 {
            return Err(bad(
                "local header's sizes or CRC differ from the central directory",
            ));
        }
    } else {
        // Sizes and CRC follow the data; the local header's are zero (or right).
        let agrees = |v: u32, want: u64| v == 0 || v == u32::MAX || u64::from(v) == want;
        if !agrees(local.csize32, raw.csize)
            || !agrees(local.size32, raw.size)
            || (local.crc32 != 0 && local.crc32 != raw.crc32)
        {
            return Err(bad(
                "local header's sizes or CRC differ from the central directory",
            ));
        }
        check_descriptor(file, raw, data_stop, data_end, zip64.is_some()).map_err(bad)?;
    }
    Ok(start)
}

/// The (size, compressed size) a local header states, through its ZIP64 field.
fn local_sizes(local: &Local, zip64: Option<&[u8]>) -> Option<(u64, u64)> {
    let (mut size, mut csize) = (u64::from(local.size32), u64::from(local.csize32));
    if local.size32 == u32::MAX || local.csize32 == u32::MAX {
        let mut c = Le::new(zip64?, "ZIP64 extra field");
        if local.size32 == u32::MAX {
            size = c.u64().ok()?;
        }
        if local.csize32 == u32::MAX {
            csize = c.u64().ok()?;
        }
    }
    Some((size, csize))
}

/// The data descriptor at `at` must hold the central record's CRC and sizes
/// (with or without its optional signature; 8-byte sizes for ZIP64 entries).
fn check_descriptor(
    file: &File,
    raw: &Raw,
    at: u64,
    data_end: u64,
    zip64: bool,
) -> Result<(), &'static str> {
    let mut d = [0u8; 24];
    let avail = usize::try_from(data_end - at).unwrap_or(usize::MAX).min(24);
    read_exact_at(file, &mut d[..avail], at).map_err(|_| "data descriptor unreadable")?;
    let d = &d[..avail];
    let wide_first = zip64 || raw.size >= u64::from(u32::MAX) || raw.csize >= u64::from(u32::MAX);
    for wide in [wide_first, !wide_first] {
        for signed in [true, false] {
            if descriptor_matches(d, raw, wide, signed) == Some(true) {
                return Ok(());
            }
        }
    }
    Err("data descriptor differs from the central directory (or is missing)")
}

fn descriptor_matches(d: &[u8], raw: &Raw, wide: bool, signed: bool) -> Option<bool> {
    let mut c = Le::new(d, "data descriptor");
    if signed && c.u32().ok()? != SIG_DESCRIPTOR {
        return Some(false);
    }
    let crc = c.u32().ok()?;
    let (csize, size) = if wide {
        (c.u64().ok()?, c.u64().ok()?)
    } else {
        (u64::from(c.u32().ok()?), u64::from(c.u32().ok()?))
    };
    Some(crc == raw.crc32 && csize == raw.csize && size == raw.size)
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

/// Inflates a raw deflate stream that must end exactly at the end of its input.
struct Inflater<'f> {
    src: BufReader<PosReader<'f>>,
    z: Decompress,
    ended: bool,
}

impl Inflater<'_> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize, String> {
        use io::BufRead;
        loop {
            if self.ended {
                return Ok(0);
            }
            let input = self.src.fill_buf().map_err(|e| e.to_string())?;
            let input_empty = input.is_empty();
            let (in0, out0) = (self.z.total_in(), self.z.total_out());
            let status = self
                .z
                .decompress(input, out, FlushDecompress::None)
                .map_err(|e| format!("corrupt deflate stream: {e}"))?;
            let consumed = (self.z.total_in() - in0) as usize;
            let produced = (self.z.total_out() - out0) as usize;
            self.src.consume(consumed);
            if status == Status::StreamEnd {
                self.ended = true;
                let left = self.src.buffer().len() as u64
                    + (self.src.get_ref().end - self.src.get_ref().pos);
                if left != 0 {
                    return Err(format!(
                        "{left} bytes of data after the end of the compressed stream"
                    ));
                }
                return Ok(produced);
            }
            if produced > 0 {
                return Ok(produced);
            }
            if input_empty {
                return Err("the compressed stream ends before its end marker".to_string());
            }
            if consumed == 0 {
                return Err("corrupt deflate stream: no progress".to_string());
            }
        }
    }
}

enum Inner<'f> {
    Stored(PosReader<'f>),
    Deflated(Box<Inflater<'f>>),
}

/// Reads an entry's uncompressed contents, failing with an [`ArchiveError`]
/// (wrapped in `io::Error`) if it inflates past or short of its declared
/// size, fails its CRC, or its compressed stream does not end exactly at its
/// compressed size. Never yields more than the declared size.
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
            Inner::Deflated(Box::new(Inflater {
                src: BufReader::with_capacity(cap, r),
                z: Decompress::new(false),
                ended: false,
            }))
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
        let room = self.declared.saturating_add(1).saturating_sub(self.total);
        let want = (buf.len() as u64).min(room) as usize;
        let got = match &mut self.inner {
            Inner::Stored(r) => r.read(&mut buf[..want]).map_err(|e| e.to_string()),
            Inner::Deflated(r) => r.read(&mut buf[..want]),
        };
        let n = got.map_err(|e| self.fail(corrupt(format!("\"{}\": {e}", esc(self.name)))))?;
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

/// Turns an `io::Error` from an [`EntryReader`] back into its [`ArchiveError`].
pub(crate) fn lift(e: io::Error) -> anyhow::Error {
    if e.get_ref().is_some_and(|i| i.is::<ArchiveError>()) {
        if let Some(inner) = e.into_inner() {
            return match inner.downcast::<ArchiveError>() {
                Ok(ae) => anyhow::Error::new(*ae),
                Err(other) => anyhow::Error::from_boxed(other),
            };
        }
        return anyhow::anyhow!("read error");
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
