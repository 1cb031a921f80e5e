//! A tiny HTTP/1.1 server on 127.0.0.1:0 that answers every request with one
//! canned response: for bodies the emulator cannot produce (non-zip bodies,
//! hostile archives, misbehaving listings). It serves a bounded number of
//! connections and stops by itself.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A canned response.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Never answer: hold the connection until the client hangs up (at
    /// most the 10 s read timeout), e.g. to interrupt a request in flight.
    pub hang: bool,
}

impl Reply {
    /// No answer at all (see [`Reply::hang`]).
    pub fn hang() -> Self {
        Self {
            status: 0,
            content_type: "",
            body: Vec::new(),
            hang: true,
        }
    }

    pub fn zip(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            content_type: "application/octet-stream",
            body,
            hang: false,
        }
    }

    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: body.as_bytes().to_vec(),
            hang: false,
        }
    }

    /// A 429 APIG answer asking the client to come back after 1 second
    /// (the header rides after the content type: the reply has no other slot).
    pub fn throttled() -> Self {
        Self {
            status: 429,
            content_type: "application/json\r\nRetry-After: 1",
            body: br#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#.to_vec(),
            hang: false,
        }
    }

    /// An OBS XML error.
    pub fn obs_error(status: u16, code: &str) -> Self {
        Self {
            status,
            content_type: "application/xml",
            body: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>refused by the raw server</Message><RequestId>RAWREQ1</RequestId></Error>").into_bytes(),
            hang: false,
        }
    }
}

pub struct RawServer {
    pub endpoint: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    handle: Option<JoinHandle<()>>,
}

impl RawServer {
    /// Answers up to `max_connections` connections; `reply` picks the
    /// response from the request line (e.g. by path).
    pub fn start(max_connections: usize, reply: impl Fn(&str) -> Reply + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let handle = std::thread::spawn(move || {
            for _ in 0..max_connections {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                serve(stream, &reply, &seen);
            }
        });
        Self {
            endpoint,
            requests,
            handle: Some(handle),
        }
    }

    pub fn count(&self) -> usize {
        self.requests.lock().map(|r| r.len()).unwrap_or(0)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        // Unblock accept() if the test used fewer connections than allowed.
        if let Some(handle) = self.handle.take() {
            if !handle.is_finished() {
                let address = self.endpoint.trim_start_matches("http://").to_string();
                for _ in 0..64 {
                    if handle.is_finished() {
                        break;
                    }
                    let _ = TcpStream::connect(&address);
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            let _ = handle.join();
        }
    }
}

/// Reads one request, records its request line in `seen`, answers it.
fn serve(
    mut stream: TcpStream,
    reply: &impl Fn(&str) -> Reply,
    seen: &Mutex<Vec<String>>,
) -> Option<()> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    // Headers, then as much body as Content-Length says.
    let header_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < header_end + length.min(1 << 20) {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let request_line = head.lines().next().unwrap_or_default().to_string();
    let answer = reply(&request_line);
    if let Ok(mut seen) = seen.lock() {
        seen.push(request_line);
    }
    if answer.hang {
        // Until the client closes the connection, or the read timeout.
        while matches!(stream.read(&mut chunk), Ok(n) if n > 0) {}
        return None;
    }
    let reason = match answer.status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Status",
    };
    let header = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nX-Request-Id: raw-{}\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.content_type,
        answer.body.len(),
        answer.status
    );
    stream.write_all(header.as_bytes()).ok()?;
    stream.write_all(&answer.body).ok()?;
    stream.flush().ok()?;
    Some(())
}
