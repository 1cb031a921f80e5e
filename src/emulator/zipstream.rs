//! A zip archive streamed as it is built: a blocking thread writes the archive
//! with `ZipWriter::new_stream` into a writer that hands fixed-size chunks to
//! a bounded channel; the response body takes them from there. Files are read
//! from disk while their entry is written, so memory use is a few chunks,
//! whatever the archive's size.

use std::fs::File;
use std::future::Future;
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;
use tokio::time::Sleep;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::store::{Entry, Source};
use crate::fsx::read_full;

/// Size of each body chunk sent to the client.
pub(crate) const CHUNK_SIZE: usize = 256 * 1024;
/// Chunks buffered between the builder thread and the connection.
const CHANNEL_CHUNKS: usize = 4;
/// Entries at or above this size get zip64 headers (their sizes may not fit 32 bits).
const LARGE_FILE: u64 = 0xF000_0000;

/// One archive entry: its name in the zip and where its bytes come from.
#[derive(Debug, Clone)]
pub(crate) struct PlannedEntry {
    pub zip_name: String,
    pub entry: Entry,
}

/// How entries are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Deflate at level 1 (fast), as the default; large entries whose first
    /// chunk looks incompressible are stored.
    DeflateFast,
    /// No compression.
    #[allow(dead_code)]
    Stored,
}

/// Starts building the archive on a blocking thread; the receiver yields its
/// bytes in chunks, then closes. A build failure (a file that vanished) is
/// sent as an `Err`, which makes the body abort the connection.
pub(crate) fn spawn(
    entries: Vec<PlannedEntry>,
    compression: Compression,
) -> mpsc::Receiver<io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    tokio::task::spawn_blocking(move || {
        let error_tx = tx.clone();
        if let Err(err) = build(entries, compression, tx) {
            // The receiver may be gone (client disconnected): nothing to tell.
            let _ = error_tx.blocking_send(Err(err));
        }
    });
    rx
}

fn build(
    entries: Vec<PlannedEntry>,
    compression: Compression,
    tx: mpsc::Sender<io::Result<Bytes>>,
) -> io::Result<()> {
    let mut zip = ZipWriter::new_stream(ChunkWriter::new(tx));
    let mut buffer = vec![0u8; CHUNK_SIZE];
    for planned in entries {
        // The first chunk is read before the entry starts, to pick its method.
        let mut file = None;
        let first: &[u8] = match &planned.entry.source {
            Source::Embedded(bytes) => bytes,
            Source::Memory(bytes) => bytes,
            Source::File(path) => {
                let mut opened = File::open(path).map_err(|err| {
                    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
                })?;
                let read = read_full(&mut opened, &mut buffer)?;
                file = Some(opened);
                &buffer[..read]
            }
        };
        let method = match compression {
            Compression::DeflateFast
                if planned.entry.size >= SNIFF_MIN_SIZE && looks_incompressible(first) =>
            {
                CompressionMethod::Stored
            }
            Compression::DeflateFast => CompressionMethod::Deflated,
            Compression::Stored => CompressionMethod::Stored,
        };
        let level = (method == CompressionMethod::Deflated).then_some(1);
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(level)
            .last_modified_time(zip_time(planned.entry.modified))
            .unix_permissions(0o644)
            .large_file(planned.entry.size >= LARGE_FILE);
        zip.start_file(planned.zip_name.as_str(), options)
            .map_err(io::Error::other)?;
        zip.write_all(first)?;
        if let Some(mut file) = file {
            loop {
                match read_full(&mut file, &mut buffer)? {
                    0 => break,
                    read => zip.write_all(&buffer[..read])?,
                }
            }
        }
    }
    let stream = zip.finish().map_err(io::Error::other)?;
    stream.into_inner().close()
}

/// Entries at least this big are checked for compressibility first.
const SNIFF_MIN_SIZE: u64 = 1024 * 1024;

/// True when a sample's byte entropy is near 8 bits (random, already
/// compressed or encrypted data): deflating it would cost time and gain
/// nothing, so such an entry is stored, as zip tools do.
fn looks_incompressible(sample: &[u8]) -> bool {
    if sample.len() < 4096 {
        return false;
    }
    let mut counts = [0u32; 256];
    for &byte in sample {
        counts[usize::from(byte)] += 1;
    }
    let total = sample.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum();
    entropy > 7.5
}

/// A zip timestamp (local DOS time, here UTC) for a file's mtime; 1980-01-01 if
/// it does not fit the DOS range.
fn zip_time(time: SystemTime) -> DateTime {
    let utc = time::OffsetDateTime::from(time);
    u16::try_from(utc.year())
        .ok()
        .and_then(|year| {
            DateTime::from_date_and_time(
                year,
                u8::from(utc.month()),
                utc.day(),
                utc.hour(),
                utc.minute(),
                utc.second(),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// Collects written bytes and sends them on in `CHUNK_SIZE` pieces.
struct ChunkWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: BytesMut,
}

impl ChunkWriter {
    fn new(tx: mpsc::Sender<io::Result<Bytes>>) -> Self {
        Self {
            tx,
            buf: BytesMut::with_capacity(CHUNK_SIZE),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, BytesMut::with_capacity(CHUNK_SIZE));
        self.tx
            .blocking_send(Ok(chunk.freeze()))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client went away"))
    }

    /// Sends what is left; the channel closes when the writer is dropped.
    fn close(mut self) -> io::Result<()> {
        self.send()
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_SIZE - self.buf.len();
        let take = room.min(data.len());
        self.buf.extend_from_slice(&data[..take]);
        if self.buf.len() >= CHUNK_SIZE {
            self.send()?;
        }
        Ok(take)
    }

    /// Chunks are only sent full (or at the end): flushing sends nothing, so the
    /// client sees large writes whatever the zip writer flushes.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Per-connection switches a response body can throw.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    /// Close the connection with a TCP reset (SO_LINGER 0) instead of a FIN.
    pub reset: AtomicBool,
}

/// What to do to the body of one export response (the fault flags).
#[derive(Debug, Clone, Default)]
pub(crate) struct BodyFaults {
    pub first_byte_delay: Option<Duration>,
    pub truncate_after: Option<u64>,
    pub reset_after: Option<u64>,
    /// After the archive, send filler bytes forever.
    pub endless: bool,
}

/// What `--endless-body` sends after the archive, again and again.
static FILLER: [u8; CHUNK_SIZE] = [0; CHUNK_SIZE];

/// Time given to the connection to flush the bytes sent before a cut.
const CUT_FLUSH_GRACE: Duration = Duration::from_millis(100);

/// The response body of an export: the builder's chunks, with the faults applied.
pub(crate) struct ZipBody {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    conn: Arc<ConnControl>,
    delay: Option<Pin<Box<Sleep>>>,
    /// Bytes still allowed before the cut, when a cut is due.
    cut: Option<Cut>,
    sent: u64,
    done: bool,
    endless: bool,
}

struct Cut {
    after: u64,
    reset: bool,
    grace: Option<Pin<Box<Sleep>>>,
}

impl ZipBody {
    pub fn new(
        rx: mpsc::Receiver<io::Result<Bytes>>,
        conn: Arc<ConnControl>,
        faults: BodyFaults,
    ) -> Self {
        let cut = match (faults.truncate_after, faults.reset_after) {
            (Some(t), Some(r)) if r < t => Some((r, true)),
            (Some(t), _) => Some((t, false)),
            (None, Some(r)) => Some((r, true)),
            (None, None) => None,
        };
        Self {
            rx,
            conn,
            delay: faults
                .first_byte_delay
                .map(|delay| Box::pin(tokio::time::sleep(delay))),
            cut: cut.map(|(after, reset)| Cut {
                after,
                reset,
                grace: None,
            }),
            sent: 0,
            done: false,
            endless: faults.endless,
        }
    }
}

impl Body for ZipBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(delay) = this.delay.as_mut() {
            if delay.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.delay = None;
        }
        if let Some(cut) = this.cut.as_mut() {
            if this.sent >= cut.after {
                // Let the connection flush what was sent, then fail the body:
                // hyper then closes the connection without ending the chunked
                // body, so the client sees a body cut short.
                let grace = cut
                    .grace
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(CUT_FLUSH_GRACE)));
                if grace.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.done = true;
                if cut.reset {
                    this.conn.reset.store(true, Ordering::SeqCst);
                }
                let what = if cut.reset { "reset" } else { "truncated" };
                return Poll::Ready(Some(Err(io::Error::other(format!(
                    "emulator fault: body {what} after {} bytes",
                    this.sent
                )))));
            }
        }
        match this.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) if this.endless => {
                this.sent += CHUNK_SIZE as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&FILLER)))))
            }
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(err))) => {
                this.done = true;
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(Some(Ok(mut chunk))) => {
                if let Some(cut) = &this.cut {
                    let room = cut.after.saturating_sub(this.sent);
                    if (chunk.len() as u64) > room {
                        // `room` is below the chunk's length, so it fits usize.
                        chunk.truncate(usize::try_from(room).unwrap_or(0));
                    }
                }
                this.sent += chunk.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::io::Cursor;
    use std::io::Read;
    use std::time::UNIX_EPOCH;

    fn embedded(name: &str, bytes: &'static [u8]) -> PlannedEntry {
        PlannedEntry {
            zip_name: name.to_string(),
            entry: Entry {
                name: name.to_string(),
                source: Source::Embedded(bytes),
                size: bytes.len() as u64,
                modified: UNIX_EPOCH,
            },
        }
    }

    #[tokio::test]
    async fn streams_a_valid_zip_in_chunks_and_reads_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big: Vec<u8> = (0..(CHUNK_SIZE * 3)).map(|i| (i % 251) as u8).collect();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, &big).expect("write");
        let mut entries = vec![embedded("a/中文.txt", b"hello")];
        entries.push(PlannedEntry {
            zip_name: "a/big.bin".into(),
            entry: Entry {
                name: "big.bin".into(),
                source: Source::File(path),
                size: big.len() as u64,
                modified: SystemTime::now(),
            },
        });
        let rx = spawn(entries, Compression::DeflateFast);
        let body = ZipBody::new(rx, Arc::default(), BodyFaults::default());
        let bytes = body.collect().await.expect("body").to_bytes();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
        assert_eq!(archive.len(), 2);
        let mut text = String::new();
        archive
            .by_name("a/中文.txt")
            .expect("entry")
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "hello");
        let mut data = Vec::new();
        archive
            .by_name("a/big.bin")
            .expect("entry")
            .read_to_end(&mut data)
            .expect("read");
        assert_eq!(data, big);
    }

    #[tokio::test]
    async fn large_random_entries_are_stored_and_text_deflated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rng = fastrand::Rng::with_seed(7);
        let random: Vec<u8> = (0..2 * 1024 * 1024).map(|_| rng.u8(..)).collect();
        let text: Vec<u8> = b"select 1;\n"
            .iter()
            .copied()
            .cycle()
            .take(2 * 1024 * 1024)
            .collect();
        let mut entries = Vec::new();
        for (name, data) in [("random.bin", &random), ("text.sql", &text)] {
            let path = dir.path().join(name);
            std::fs::write(&path, data).expect("write");
            entries.push(PlannedEntry {
                zip_name: name.into(),
                entry: Entry {
                    name: name.into(),
                    source: Source::File(path),
                    size: data.len() as u64,
                    modified: UNIX_EPOCH,
                },
            });
        }
        let body = ZipBody::new(
            spawn(entries, Compression::DeflateFast),
            Arc::default(),
            BodyFaults::default(),
        );
        let bytes = body.collect().await.expect("body").to_bytes();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
        for (name, method, data) in [
            ("random.bin", CompressionMethod::Stored, &random),
            ("text.sql", CompressionMethod::Deflated, &text),
        ] {
            let mut file = archive.by_name(name).expect("entry");
            assert_eq!(file.compression(), method, "{name}");
            let mut got = Vec::new();
            file.read_to_end(&mut got).expect("read");
            assert!(&got == data, "{name}");
        }
    }

    #[tokio::test]
    async fn a_missing_file_fails_the_body() {
        let entries = vec![PlannedEntry {
            zip_name: "x".into(),
            entry: Entry {
                name: "x".into(),
                source: Source::File("/nonexistent/emulator/file".into()),
                size: 1,
                modified: UNIX_EPOCH,
            },
        }];
        let body = ZipBody::new(
            spawn(entries, Compression::Stored),
            Arc::default(),
            BodyFaults::default(),
        );
        assert!(body.collect().await.is_err());
    }

    #[tokio::test]
    async fn truncation_sends_exactly_the_allowed_bytes_then_fails() {
        let rx = spawn(vec![embedded("a", &[7u8; 4096])], Compression::Stored);
        let mut body = ZipBody::new(
            rx,
            Arc::default(),
            BodyFaults {
                truncate_after: Some(100),
                ..BodyFaults::default()
            },
        );
        let mut total = 0;
        let mut failed = false;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => total += frame.into_data().map(|d| d.len()).unwrap_or(0),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert_eq!(total, 100);
        assert!(failed);
    }
}
