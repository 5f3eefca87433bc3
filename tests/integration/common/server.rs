//! A small HTTP server on 127.0.0.1 for `refresh` tests: each connection is
//! answered on its own thread by a handler, and the server stops when dropped
//! (or after two minutes at the latest).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub enum Response {
    Ok {
        body: Vec<u8>,
        etag: Option<String>,
    },
    Status(u16),
    /// Never answers (until the server stops).
    Hang,
    /// Sends headers, then body bytes forever, chunked.
    Endless,
}

pub struct Server {
    pub url: String,
    stop: Arc<AtomicBool>,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (flag, log) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (handler, flag, log) = (handler.clone(), flag.clone(), log.clone());
                        std::thread::spawn(move || {
                            let _ = answer(stream, &*handler, &flag, &log);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            url,
            stop,
            requests,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

type Headers = Vec<(String, String)>;

/// The request line (its method dropped, `CONNECT` kept), the headers and the method.
fn read_head(reader: &mut BufReader<TcpStream>) -> std::io::Result<(String, Headers, String)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("GET").to_string();
    let target = words.next().unwrap_or("/").to_string();
    let first = if method == "CONNECT" {
        format!("CONNECT {target}")
    } else {
        target
    };
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    Ok((first, headers, method))
}

fn answer(
    stream: TcpStream,
    handler: &Handler,
    stop: &AtomicBool,
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    let (mut path, mut headers, mut method) = read_head(&mut reader)?;
    // As a proxy: accept the tunnel, then answer what comes through it.
    let mut tunnel = None;
    if path.starts_with("CONNECT ") {
        tunnel = Some(path.trim_start_matches("CONNECT ").to_string());
        stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        (path, headers, method) = read_head(&mut reader)?;
    }
    let path = path.split_whitespace().next().unwrap_or("/").to_string();
    let path = match tunnel {
        Some(host) if path.starts_with('/') => format!("http://{host}{path}"),
        _ => path,
    };
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(16 * 1024 * 1024)];
    std::io::Read::read_exact(&mut reader, &mut body)?;
    let req = Request {
        method,
        path,
        headers,
        body,
    };
    let response = handler(&req);
    log.lock().unwrap().push(req);
    let until_stopped = || {
        let deadline = Instant::now() + Duration::from_secs(120);
        !stop.load(Ordering::Relaxed) && Instant::now() < deadline
    };
    match response {
        Response::Ok { body, etag } => {
            let etag = etag.map(|e| format!("ETag: {e}\r\n")).unwrap_or_default();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n{etag}Connection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        Response::Status(code) => write!(
            stream,
            "HTTP/1.1 {code} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
        Response::Hang => {
            while until_stopped() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Response::Endless => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
            )?;
            let chunk = "{\"name\":\"wasmtime\",\"vers\":\"1.0.0\"}\n".repeat(1000);
            while until_stopped() {
                write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len())?;
            }
        }
    }
    Ok(())
}
