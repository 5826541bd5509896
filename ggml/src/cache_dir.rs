//! The inf-wasi cache folder, shared by every host (models fetched by name,
//! projectors unpacked from packed files).

use std::path::{Path, PathBuf};

/// `$INF_WASI_CACHE`, else `$XDG_CACHE_HOME/inf-wasi`, else `~/.cache/inf-wasi`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("INF_WASI_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    base.join("inf-wasi")
}

/// How many compiled plugins a host keeps; past it, the least recently used go.
const KEPT_PLUGINS: usize = 16;

/// Where a host keeps a composed plugin's compiled code between processes:
/// `plugins/<SHA-256 of the composed component>-<host>.cwasm` in [`cache_dir`].
/// `host` names the runtime that compiled it (`rust`, `python`): each reads only
/// its own. A host that reads one marks it used ([`used_compiled_plugin`]).
pub fn compiled_plugin_path(composed: &[u8], host: &str) -> PathBuf {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(composed).iter().map(|b| format!("{b:02x}")).collect();
    cache_dir().join("plugins").join(format!("{hex}-{host}.cwasm"))
}

/// Marks a compiled plugin as just used, so that pruning keeps it.
pub fn used_compiled_plugin(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

/// Keeps a compiled plugin at `path` (from [`compiled_plugin_path`]): written
/// beside it first and renamed into place, so that a reader never sees half a
/// file. Then the same host's least recently used ones go, past [`KEPT_PLUGINS`]:
/// each new build of the engine component composes every plugin anew.
pub fn store_compiled_plugin(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("a file path has a folder"))?;
    std::fs::create_dir_all(dir)?;
    let partial = path.with_extension(format!("{}.partial", std::process::id()));
    let written = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written?;
    let host = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit_once('-')).map(|(_, host)| host);
    let mut same_host: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_str().and_then(|n| n.rsplit_once('-')).map(|(_, h)| h) == host)
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    same_host.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, old) in same_host.into_iter().skip(KEPT_PLUGINS) {
        let _ = std::fs::remove_file(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn a_host_keeps_its_most_recently_used_compiled_plugins_and_leaves_the_others_alone() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../target/tmp/plugins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let old = |i: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + i);
        for name in ["a-python.cwasm", "b-python.cwasm"] {
            store_compiled_plugin(&dir.join(name), b"compiled").unwrap();
            std::fs::File::options().append(true).open(dir.join(name)).unwrap().set_modified(old(0)).unwrap();
        }
        for i in 0..20 {
            let path = dir.join(format!("{i:02}-rust.cwasm"));
            store_compiled_plugin(&path, b"compiled").unwrap();
            std::fs::File::options().append(true).open(&path).unwrap().set_modified(old(i)).unwrap();
        }
        let mut kept: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        kept.sort();
        let mut expected: Vec<String> = (4..20).map(|i| format!("{i:02}-rust.cwasm")).collect();
        expected.extend(["a-python.cwasm".into(), "b-python.cwasm".into()]);
        assert_eq!(kept, expected);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
