//! The zip format's constants, shared by the reader (`central`, `entry`) and
//! the writer (`merge`), and one bounds-checked little-endian cursor: every
//! read past the end is an error, never a panic.

use super::ArchiveError;

pub(crate) const SIG_LOCAL: u32 = 0x0403_4b50;
pub(crate) const SIG_CENTRAL: u32 = 0x0201_4b50;
pub(crate) const SIG_EOCD: u32 = 0x0605_4b50;
pub(crate) const SIG_EOCD64: u32 = 0x0606_4b50;
pub(crate) const SIG_LOCATOR64: u32 = 0x0706_4b50;
pub(crate) const SIG_DESCRIPTOR: u32 = 0x0807_4b50;

pub(crate) const METHOD_STORED: u16 = 0;
pub(crate) const METHOD_DEFLATED: u16 = 8;

pub(crate) const FLAG_ENCRYPTED: u16 = 1;
/// Sizes and CRC follow the data in a descriptor (the local header's are zero).
pub(crate) const FLAG_DESCRIPTOR: u16 = 1 << 3;
pub(crate) const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
pub(crate) const FLAG_UTF8: u16 = 1 << 11;

/// The extra field holding ZIP64 sizes and offsets.
pub(crate) const EXTRA_ZIP64: u16 = 0x0001;

/// Fixed lengths of the records.
pub(crate) const LOCAL_LEN: usize = 30;
pub(crate) const CENTRAL_LEN: usize = 46;
pub(crate) const EOCD_LEN: usize = 22;
pub(crate) const EOCD64_LEN: usize = 56;
pub(crate) const LOCATOR64_LEN: usize = 20;

/// "Version needed to extract": 2.0 (deflate), 4.5 (ZIP64).
pub(crate) const VERSION_DEFAULT: u16 = 20;
pub(crate) const VERSION_ZIP64: u16 = 45;
/// "Made by" high byte: Unix (the external attributes hold a mode).
pub(crate) const MADE_BY_UNIX: u16 = 3;

pub(crate) fn corrupt(reason: impl Into<String>) -> ArchiveError {
    ArchiveError::Corrupt {
        reason: reason.into(),
    }
}

/// A little-endian reader over a byte slice; `what` names the record in errors.
#[derive(Debug, Clone)]
pub(crate) struct Le<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Le<'a> {
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Le { buf, pos: 0, what }
    }

    /// A cursor at `pos` (which may be past the end: the first read fails).
    pub(crate) fn at(buf: &'a [u8], pos: usize, what: &'static str) -> Self {
        Le { buf, pos, what }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], ArchiveError> {
        let out = self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
            .ok_or_else(|| corrupt(format!("{} is cut short", self.what)))?;
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ArchiveError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, ArchiveError> {
        self.array().map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ArchiveError> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ArchiveError> {
        self.array().map(u64::from_le_bytes)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Result<(), ArchiveError> {
        self.bytes(n).map(drop)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }
}

/// The data of the ZIP64 extra field among `extra`'s fields, if present.
pub(crate) fn zip64_field(extra: &[u8]) -> Result<Option<&[u8]>, ArchiveError> {
    let mut c = Le::new(extra, "extra field");
    while c.remaining() >= 4 {
        let id = c.u16()?;
        let len = usize::from(c.u16()?);
        let data = c.bytes(len)?;
        if id == EXTRA_ZIP64 {
            return Ok(Some(data));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_errors() {
        let mut c = Le::new(&[1, 0, 2, 0, 0, 0, 9], "record");
        assert_eq!(c.u16().expect("u16"), 1);
        assert_eq!(c.u32().expect("u32"), 2);
        assert!(c.u16().is_err());
        assert!(Le::at(&[0; 4], usize::MAX, "record").u16().is_err());
        assert!(Le::new(&[0; 4], "record").bytes(usize::MAX).is_err());
    }

    #[test]
    fn zip64_field_is_found_among_others() {
        let extra = [0x55, 0x54, 1, 0, 9, 1, 0, 8, 0, 7, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            zip64_field(&extra).expect("parse"),
            Some(&[7, 0, 0, 0, 0, 0, 0, 0][..])
        );
        assert!(zip64_field(&[1, 0, 200, 0]).is_err());
        assert_eq!(zip64_field(&[]).expect("empty"), None);
    }
}
