//! A QMP client: line-delimited JSON over a unix socket. The greeting is read and
//! `qmp_capabilities` sent before anything else; commands carry an `id` and their caller waits
//! for the reply with that `id`; one reader thread per connection reads every line, hands each
//! reply to its waiting caller and each asynchronous event to the connection's handler.
//!
//! What QEMU writes is untrusted: a line longer than `MAX_LINE_BYTES` ends the connection, and
//! a line that is not a JSON object, or a reply to no waiting command, is skipped.

use crate::sys;
use crossbeam_channel::{bounded, Sender};
use parking_lot::Mutex;
use serde_json::{json, Map, Value};
use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

/// The longest line accepted from QEMU. The largest replies this client asks for (query-block
/// with long backing chains) stay far below it.
pub(crate) const MAX_LINE_BYTES: usize = 4 << 20;

/// How long a command waits for its reply before the caller gets `QmpError::Timeout`.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub enum QmpError {
    Io(io::Error),
    /// The peer does not speak QMP as expected (no greeting, bad capabilities reply).
    Protocol(String),
    /// The command failed: QEMU's error class and description.
    Command { class: String, desc: String },
    /// The connection ended before the reply came.
    Closed,
    Timeout,
}

impl fmt::Display for QmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QmpError::Io(e) => write!(f, "monitor I/O error: {e}"),
            QmpError::Protocol(m) => write!(f, "monitor protocol error: {m}"),
            QmpError::Command { class, desc } => write!(f, "{desc} ({class})"),
            QmpError::Closed => f.write_str("the monitor connection closed"),
            QmpError::Timeout => f.write_str("no reply from the monitor in time"),
        }
    }
}

impl From<io::Error> for QmpError {
    fn from(e: io::Error) -> Self {
        QmpError::Io(e)
    }
}

/// An asynchronous event as QEMU sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct QmpEvent {
    pub name: String,
    /// `data`, or an empty object when the event has none.
    pub data: Value,
}

/// What the reader thread hands to the connection's handler.
#[derive(Debug)]
pub enum Incoming {
    Event(QmpEvent),
    /// QEMU closed the connection (the process exited) or sent something unreadable. Not
    /// reported when this side closed it.
    Closed,
}

pub type Handler = Box<dyn FnMut(Incoming) + Send>;

type Reply = Result<Value, QmpError>;

struct Shared {
    pending: Mutex<PendingReplies>,
    /// Set once this side closes the connection: the reader's end is then not reported.
    closing: AtomicBool,
}

#[derive(Default)]
struct PendingReplies {
    waiting: Vec<(u64, Sender<Reply>)>,
    /// The reader has ended: no reply will come any more.
    ended: bool,
}

/// One QMP connection.
pub struct Monitor {
    writer: Mutex<UnixStream>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
    reader: Mutex<Option<JoinHandle<()>>>,
    reader_id: ThreadId,
}

impl Monitor {
    /// Connects to the socket at `path`, retrying until `deadline` while it does not accept
    /// yet, then negotiates as `open` does.
    pub fn connect(path: &Path, deadline: Instant, handler: Handler) -> Result<Monitor, QmpError> {
        let stream = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) if Instant::now() >= deadline => return Err(QmpError::Io(e)),
                Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused) => {
                    thread::sleep(Duration::from_millis(2))
                }
                Err(e) => return Err(QmpError::Io(e)),
            }
        };
        Monitor::open(stream, deadline, handler)
    }

    /// Reads the greeting on `stream`, starts the reader and enters command mode.
    pub fn open(stream: UnixStream, deadline: Instant, handler: Handler) -> Result<Monitor, QmpError> {
        let wait = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        stream.set_read_timeout(Some(wait))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut line = Vec::new();
        if !read_line_bounded(&mut reader, &mut line)? {
            return Err(QmpError::Protocol("the connection closed before the greeting".into()));
        }
        let greeting: Value = serde_json::from_slice(&line).map_err(|e| QmpError::Protocol(format!("unreadable greeting: {e}")))?;
        if greeting.get("QMP").is_none() {
            return Err(QmpError::Protocol("the greeting has no \"QMP\" member".into()));
        }
        stream.set_read_timeout(None)?;

        let shared = Arc::new(Shared { pending: Mutex::new(PendingReplies::default()), closing: AtomicBool::new(false) });
        let reader_shared = shared.clone();
        let reader = thread::Builder::new()
            .name("virtevent-qmp".into())
            .spawn(move || read_loop(reader, reader_shared, handler))
            .map_err(QmpError::Io)?;
        let monitor = Monitor {
            writer: Mutex::new(stream),
            shared,
            next_id: AtomicU64::new(1),
            reader_id: reader.thread().id(),
            reader: Mutex::new(Some(reader)),
        };
        monitor.execute("qmp_capabilities", None)?;
        Ok(monitor)
    }

    /// Runs `command` and waits for its reply: the `return` value, or QEMU's error. Must not
    /// be called from the handler (the reader thread would wait for itself).
    pub fn execute(&self, command: &str, arguments: Option<Value>) -> Result<Value, QmpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = bounded(1);
        {
            let mut pending = self.shared.pending.lock();
            if pending.ended {
                return Err(QmpError::Closed);
            }
            pending.waiting.push((id, tx));
        }
        let mut message = json!({ "execute": command, "id": id });
        if let Some(args) = arguments {
            message["arguments"] = args;
        }
        let mut line = message.to_string();
        line.push('\n');
        let written = self.writer.lock().write_all(line.as_bytes());
        if let Err(e) = written {
            self.forget(id);
            return Err(QmpError::Io(e));
        }
        match rx.recv_timeout(COMMAND_TIMEOUT) {
            Ok(reply) => reply,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Err(QmpError::Closed),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                self.forget(id);
                Err(QmpError::Timeout)
            }
        }
    }

    /// Whether the connection has ended (the reader has seen its end).
    pub fn is_closed(&self) -> bool {
        self.shared.pending.lock().ended
    }

    fn forget(&self, id: u64) {
        self.shared.pending.lock().waiting.retain(|(i, _)| *i != id);
    }

    /// Closes the connection from this side (the handler hears nothing more) and, unless
    /// called from the handler itself, waits for the reader to end.
    pub fn close(&self) {
        self.shared.closing.store(true, Ordering::Release);
        let _ = self.writer.lock().shutdown(Shutdown::Both);
        if thread::current().id() != self.reader_id {
            if let Some(reader) = self.reader.lock().take() {
                let _ = reader.join();
            }
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.close();
    }
}

/// Reads one line (without its newline) into `line`; false at end of stream. A line longer
/// than MAX_LINE_BYTES is an error, read no further.
fn read_line_bounded(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (chunk.len(), false),
        };
        if line.len() + take > MAX_LINE_BYTES + 1 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("a monitor line longer than {MAX_LINE_BYTES} bytes")));
        }
        line.extend_from_slice(&chunk[..take]);
        reader.consume(take);
        if done {
            line.pop();
            return Ok(true);
        }
    }
}

fn read_loop(mut reader: BufReader<UnixStream>, shared: Arc<Shared>, mut handler: Handler) {
    sys::block_async_signals();
    let mut line = Vec::new();
    while let Ok(true) = read_line_bounded(&mut reader, &mut line) {
        let Ok(Value::Object(message)) = serde_json::from_slice::<Value>(&line) else {
            continue;
        };
        if let Some(event) = as_event(&message) {
            handler(Incoming::Event(event));
        } else if let Some(id) = message.get("id").and_then(Value::as_u64) {
            let reply = as_reply(message);
            let mut pending = shared.pending.lock();
            if let Some(at) = pending.waiting.iter().position(|(i, _)| *i == id) {
                let (_, tx) = pending.waiting.swap_remove(at);
                let _ = tx.try_send(reply);
            }
        }
    }
    {
        let mut pending = shared.pending.lock();
        pending.ended = true;
        // Dropping the senders tells every waiting caller the reply will not come.
        pending.waiting.clear();
    }
    let _ = reader.get_ref().shutdown(Shutdown::Both);
    if !shared.closing.load(Ordering::Acquire) {
        handler(Incoming::Closed);
    }
}

fn as_event(message: &Map<String, Value>) -> Option<QmpEvent> {
    let name = message.get("event")?.as_str()?.to_string();
    let data = message.get("data").filter(|d| d.is_object()).cloned().unwrap_or_else(|| json!({}));
    Some(QmpEvent { name, data })
}

fn as_reply(mut message: Map<String, Value>) -> Reply {
    if let Some(value) = message.remove("return") {
        return Ok(value);
    }
    let error = message.remove("error");
    let text = |k: &str| error.as_ref().and_then(|e| e.get(k)).and_then(Value::as_str).map(str::to_string);
    Err(QmpError::Command {
        class: text("class").unwrap_or_else(|| "GenericError".into()),
        desc: text("desc").unwrap_or_else(|| "the reply has neither a return value nor an error".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::{unbounded, Receiver};
    use std::io::Read;

    const GREETING: &str = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\n";

    /// A scripted QEMU on the other end of a socket pair: it greets, then for each command it
    /// reads, `answer` returns the lines to send back.
    fn fake_qemu(
        greeting: &'static str,
        mut answer: impl FnMut(&Value) -> Vec<String> + Send + 'static,
    ) -> (UnixStream, thread::JoinHandle<()>) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let server = thread::spawn(move || {
            let mut out = theirs.try_clone().unwrap();
            if out.write_all(greeting.as_bytes()).is_err() {
                return;
            }
            let mut reader = BufReader::new(theirs);
            let mut line = Vec::new();
            while let Ok(true) = read_line_bounded(&mut reader, &mut line) {
                let command: Value = serde_json::from_slice(&line).unwrap();
                for reply in answer(&command) {
                    if out.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            }
        });
        (ours, server)
    }

    fn collecting() -> (Handler, Receiver<String>) {
        let (tx, rx) = unbounded();
        let handler: Handler = Box::new(move |incoming| {
            let _ = tx.send(match incoming {
                Incoming::Event(e) => format!("{}:{}", e.name, e.data),
                Incoming::Closed => "closed".into(),
            });
        });
        (handler, rx)
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn commands_get_their_own_replies_and_events_reach_the_handler() {
        let (stream, server) = fake_qemu(GREETING, |cmd| {
            let id = &cmd["id"];
            match cmd["execute"].as_str().unwrap() {
                "qmp_capabilities" => vec![format!("{{\"return\": {{}}, \"id\": {id}}}\n")],
                "stop" => vec![
                    "{\"timestamp\": {\"seconds\": 2, \"microseconds\": 5}, \"event\": \"STOP\"}\n".into(),
                    // A reply to nobody, garbage and a non-object are all skipped.
                    "{\"return\": {}, \"id\": 999}\n".into(),
                    "not json at all\n".into(),
                    "[1,2]\n".into(),
                    format!("{{\"return\": {{}}, \"id\": {id}}}\n"),
                ],
                "query-status" => vec![format!("{{\"return\": {{\"status\": \"paused\", \"running\": false}}, \"id\": {id}}}\n")],
                other => vec![format!(
                    "{{\"error\": {{\"class\": \"CommandNotFound\", \"desc\": \"The command {other} has not been found\"}}, \"id\": {id}}}\n"
                )],
            }
        });
        let (handler, events) = collecting();
        let monitor = Monitor::open(stream, soon(), handler).unwrap();
        assert_eq!(monitor.execute("stop", None).unwrap(), json!({}));
        assert_eq!(events.try_recv().unwrap(), "STOP:{}", "the event is handled before the reply returns");
        assert_eq!(monitor.execute("query-status", None).unwrap()["status"], "paused");
        match monitor.execute("frobnicate", Some(json!({"x": 1}))) {
            Err(QmpError::Command { class, desc }) => {
                assert_eq!(class, "CommandNotFound");
                assert!(desc.contains("frobnicate"));
            }
            other => panic!("{other:?}"),
        }
        drop(monitor);
        assert!(events.try_recv().is_err(), "closing from this side is not reported");
        server.join().unwrap();
    }

    #[test]
    fn the_peer_going_away_fails_waiting_commands_and_is_reported() {
        let (stream, server) = fake_qemu(GREETING, |cmd| match cmd["execute"].as_str().unwrap() {
            "qmp_capabilities" => vec![format!("{{\"return\": {{}}, \"id\": {}}}\n", cmd["id"])],
            // QEMU exits instead of answering (as on `quit` racing its reply).
            _ => vec![],
        });
        let (handler, events) = collecting();
        let monitor = Monitor::open(stream, soon(), handler).unwrap();
        let monitor = Arc::new(monitor);
        let waiter = {
            let m = monitor.clone();
            thread::spawn(move || m.execute("quit", None))
        };
        thread::sleep(Duration::from_millis(20));
        // The fake server ends once it reads end-of-stream, closing its side.
        let writer = monitor.writer.lock().try_clone().unwrap();
        writer.shutdown(Shutdown::Write).unwrap();
        assert!(matches!(waiter.join().unwrap(), Err(QmpError::Closed)));
        assert_eq!(events.recv_timeout(Duration::from_secs(5)).unwrap(), "closed");
        assert!(matches!(monitor.execute("cont", None), Err(QmpError::Closed)));
        server.join().unwrap();
    }

    #[test]
    fn a_bad_greeting_or_an_endless_line_is_refused() {
        for greeting in ["{\"hello\": 1}\n", "garbage\n", ""] {
            let (stream, _server) = fake_qemu(greeting, |_| vec![]);
            let (handler, _events) = collecting();
            if greeting.is_empty() {
                // A peer that says nothing: the greeting times out.
                let r = Monitor::open(stream, Instant::now() + Duration::from_millis(50), handler);
                assert!(matches!(r, Err(QmpError::Io(_))), "{r:?}", r = r.err());
            } else {
                assert!(matches!(Monitor::open(stream, soon(), handler), Err(QmpError::Protocol(_))));
            }
        }
        let mut long = vec![b'x'; MAX_LINE_BYTES + 10];
        long.push(b'\n');
        let mut reader = BufReader::new(&long[..]);
        let mut line = Vec::new();
        assert_eq!(read_line_bounded(&mut reader, &mut line).unwrap_err().kind(), io::ErrorKind::InvalidData);
        let mut reader = BufReader::new(&b"{\"a\":1}\n{\"b\":2}"[..]);
        assert!(read_line_bounded(&mut reader, &mut line).unwrap());
        assert_eq!(line, b"{\"a\":1}");
        assert!(read_line_bounded(&mut reader, &mut line).unwrap(), "a last line without newline");
        assert_eq!(line, b"{\"b\":2}");
        assert!(!read_line_bounded(&mut reader, &mut line).unwrap());
    }

    #[test]
    fn an_oversized_line_from_qemu_ends_the_connection() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let server = thread::spawn(move || {
            let mut out = theirs.try_clone().unwrap();
            out.write_all(GREETING.as_bytes()).unwrap();
            let mut buf = [0u8; 4096];
            let n = (&theirs).read(&mut buf).unwrap();
            let cmd: Value = serde_json::from_slice(&buf[..n]).unwrap();
            out.write_all(format!("{{\"return\": {{}}, \"id\": {}}}\n", cmd["id"]).as_bytes()).unwrap();
            let chunk = vec![b' '; 1 << 16];
            // Keep writing until the client hangs up.
            while out.write_all(&chunk).is_ok() {}
        });
        let (handler, events) = collecting();
        let monitor = Monitor::open(ours, soon(), handler).unwrap();
        assert_eq!(events.recv_timeout(Duration::from_secs(10)).unwrap(), "closed");
        assert!(matches!(monitor.execute("cont", None), Err(QmpError::Closed)));
        server.join().unwrap();
    }
}
