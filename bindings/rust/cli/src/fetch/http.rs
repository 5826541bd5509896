//! Downloads over HTTP(S): one agent (the system's certificate store, so a
//! proxy certificate the machine trusts is accepted; HTTPS_PROXY from the
//! environment), resumable downloads into a `.part` file, and progress on stderr.

use crate::output::Result;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How many times a download that broke off is resumed before giving up.
const ATTEMPTS: u32 = 4;

pub struct Http {
    agent: ureq::Agent,
    /// For asking a hub about a file: the answer is on its redirect.
    no_redirects: ureq::Agent,
}

/// What a finished download must be.
#[derive(Default)]
pub struct Expected<'a> {
    pub sha256: Option<&'a str>,
    pub size: Option<u64>,
}

impl Http {
    pub fn new() -> Self {
        let builder = || {
            ureq::AgentBuilder::new()
                .try_proxy_from_env(true)
                .timeout_connect(Duration::from_secs(30))
                .timeout_read(Duration::from_secs(60))
                .user_agent(concat!("inf-wasi/", env!("CARGO_PKG_VERSION")))
        };
        Self { agent: builder().build(), no_redirects: builder().redirects(0).build() }
    }

    /// The SHA-256 a Hugging Face hub gives for a file kept in LFS (its
    /// `X-Linked-Etag`, on the redirect to the file), if it gives one.
    pub fn lfs_sha256(&self, url: &str, token: Option<&str>) -> Result<Option<String>> {
        let mut request = self.no_redirects.head(url);
        if let Some(t) = token {
            request = request.set("Authorization", &format!("Bearer {t}"));
        }
        let response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) if (300..400).contains(&code) => r,
            Err(e) => return Err(describe(url, e)),
        };
        let etag = response.header("x-linked-etag").or_else(|| response.header("etag")).unwrap_or("");
        let hex = etag.trim_start_matches("W/").trim_matches('"');
        Ok((hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase()))
    }

    fn get(&self, url: &str, token: Option<&str>) -> ureq::Request {
        let request = self.agent.get(url);
        match token {
            Some(t) => request.set("Authorization", &format!("Bearer {t}")),
            None => request,
        }
    }

    /// A JSON document (`accept` is its media type).
    pub fn json(&self, url: &str, accept: &str) -> Result<serde_json::Value> {
        let response = self.get(url, None).set("Accept", accept).call().map_err(|e| describe(url, e))?;
        let mut body = String::new();
        response.into_reader().take(64 << 20).read_to_string(&mut body)?;
        serde_json::from_str(&body).map_err(|e| format!("{url} did not answer JSON: {e}").into())
    }

    /// Downloads `url` into `part`, resuming what an earlier attempt left
    /// there, then checks it against `expected`. `label` names it in the progress line.
    pub fn download(
        &self,
        url: &str,
        part: &Path,
        token: Option<&str>,
        expected: &Expected,
        label: &str,
    ) -> Result<()> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.resume(url, part, token, label) {
                Ok(()) => break,
                Err(Broken::Fatal(e)) => return Err(e),
                Err(Broken::Retry(e)) if attempt < ATTEMPTS => {
                    crate::output::note(format!("{label}: {e}; resuming"));
                    std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
                }
                Err(Broken::Retry(e)) => return Err(format!("{label}: {e} ({ATTEMPTS} attempts)").into()),
            }
        }
        let size = std::fs::metadata(part)?.len();
        if let Some(want) = expected.size.filter(|&want| want != size) {
            std::fs::remove_file(part)?;
            return Err(format!("{label}: {size} bytes arrived, {want} expected").into());
        }
        if let Some(want) = expected.sha256 {
            let got = sha256_of(part)?;
            if !got.eq_ignore_ascii_case(want) {
                std::fs::remove_file(part)?;
                return Err(format!("{label}: SHA-256 {got}, {want} expected; the download was removed").into());
            }
        }
        Ok(())
    }

    /// One attempt: asks for the bytes after those already in `part`.
    fn resume(&self, url: &str, part: &Path, token: Option<&str>, label: &str) -> std::result::Result<(), Broken> {
        let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        let mut request = self.get(url, token);
        if have > 0 {
            request = request.set("Range", &format!("bytes={have}-"));
        }
        let response = match request.call() {
            Ok(r) => r,
            // The file is already whole.
            Err(ureq::Error::Status(416, _)) if have > 0 => return Ok(()),
            Err(ureq::Error::Status(code, _)) if code >= 500 || code == 429 => {
                return Err(Broken::Retry(format!("{url} answered {code}")))
            }
            Err(e @ ureq::Error::Status(..)) => return Err(Broken::Fatal(describe(url, e))),
            Err(e) => return Err(Broken::Retry(e.to_string())),
        };
        // 206: the rest of the file; 200: the server sends it all again.
        let (mut file, start) = if response.status() == 206 {
            (OpenOptions::new().append(true).open(part).map_err(fatal)?, have)
        } else {
            (File::create(part).map_err(fatal)?, 0)
        };
        let total = response.header("Content-Length").and_then(|l| l.parse::<u64>().ok()).map(|l| l + start);
        let mut progress = Progress::new(label, start, total);
        let mut reader = response.into_reader();
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = reader.read(&mut buffer).map_err(|e| Broken::Retry(format!("the connection broke ({e})")))?;
            if n == 0 {
                break;
            }
            file.write_all(&buffer[..n]).map_err(fatal)?;
            progress.advance(n as u64);
        }
        progress.finish();
        match total {
            Some(total) if progress.done < total => {
                Err(Broken::Retry(format!("the connection ended at byte {}", progress.done)))
            }
            _ => Ok(()),
        }
    }
}

enum Broken {
    /// Worth another attempt (a dropped connection, a server error).
    Retry(String),
    Fatal(Box<dyn std::error::Error>),
}

fn fatal(e: std::io::Error) -> Broken {
    Broken::Fatal(e.into())
}

fn describe(url: &str, e: ureq::Error) -> Box<dyn std::error::Error> {
    match e {
        ureq::Error::Status(404, _) => format!("{url} was not found (404)").into(),
        ureq::Error::Status(401 | 403, _) => {
            format!("{url} refused access; a gated or private model needs HF_TOKEN").into()
        }
        ureq::Error::Status(code, _) => format!("{url} answered {code}").into(),
        e => format!("cannot reach {url}: {e}").into(),
    }
}

pub fn sha256_of(path: &Path) -> Result<String> {
    let mut file = File::open(path)?;
    let mut digest = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        digest.update(&buffer[..n]);
    }
    Ok(hex(&digest.finalize()))
}

/// A digest in lower-case hex, as indexes and models.json write it.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A progress line on stderr: redrawn in place on a terminal, every tenth otherwise.
struct Progress<'a> {
    label: &'a str,
    done: u64,
    total: Option<u64>,
    terminal: bool,
    drawn: Instant,
    tenth: u64,
}

impl<'a> Progress<'a> {
    fn new(label: &'a str, done: u64, total: Option<u64>) -> Self {
        let terminal = std::io::stderr().is_terminal();
        Self { label, done, total, terminal, drawn: Instant::now(), tenth: 0 }
    }

    fn advance(&mut self, n: u64) {
        self.done += n;
        let mb = self.done as f64 / 1e6;
        match self.total {
            Some(total) if total > 0 => {
                let tenth = self.done * 10 / total;
                if self.terminal && self.drawn.elapsed() > Duration::from_millis(100) {
                    eprint!("\r{}: {:3}% of {:.1} MB", self.label, self.done * 100 / total, total as f64 / 1e6);
                    self.drawn = Instant::now();
                } else if !self.terminal && tenth > self.tenth {
                    eprintln!("{}: {}% ({mb:.1} MB)", self.label, tenth * 10);
                }
                self.tenth = tenth;
            }
            _ if self.terminal && self.drawn.elapsed() > Duration::from_millis(100) => {
                eprint!("\r{}: {mb:.1} MB", self.label);
                self.drawn = Instant::now();
            }
            _ => {}
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!("\r{}: {:.1} MB    ", self.label, self.done as f64 / 1e6);
        }
    }
}
