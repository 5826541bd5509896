//! In the portable build, puts llama.cpp's shared libraries and ggml's CPU
//! variants (`libggml-cpu-*.so`) together in the profile's output folder
//! (`target/release`), beside the binaries and libraries that load them: one
//! folder that every package copies from, and where a binary built with
//! `-rpath $ORIGIN` finds them.

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    // Set by llama-cpp-sys-2 (`links = "llama"`) when its dynamic-backends feature is on.
    let Some(backends) = env::var_os("DEP_LLAMA_BACKENDS_DIR").map(PathBuf::from) else { return };
    let libs = backends.parent().expect("llama-cpp-sys-2's OUT_DIR").join("lib");
    println!("cargo:rerun-if-changed={}", backends.display());
    println!("cargo:rerun-if-changed={}", libs.display());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    // OUT_DIR is target/<profile>/build/<package>-<hash>/out.
    let profile_dir = out.ancestors().nth(3).expect("OUT_DIR inside a profile folder");
    // llama-cpp-sys-2 links its `libNAME.so` symlinks into these three folders
    // but not the files they point to: place those too, or a symlink left there
    // dangles (and a later llama-cpp-sys-2 build stumbles over it).
    let variants = shared_libraries(&backends);
    for dest in [profile_dir.to_path_buf(), profile_dir.join("deps"), profile_dir.join("examples")] {
        let _ = std::fs::create_dir_all(&dest);
        // A CPU variant an earlier build made and this one does not (the list
        // changed) must not be loaded, nor shipped by a package.
        for stale in shared_libraries(&dest).into_iter().filter(|placed| is_variant(placed)) {
            if !variants.iter().any(|built| built.file_name() == stale.file_name()) {
                let _ = std::fs::remove_file(stale);
            }
        }
        for dir in [&backends, &libs] {
            for file in shared_libraries(dir) {
                let placed = dest.join(file.file_name().unwrap());
                place(&file, &placed);
                // Another configuration's build (other features) places its
                // own libraries here: place these again when that happens.
                if dest == profile_dir {
                    println!("cargo:rerun-if-changed={}", placed.display());
                }
            }
        }
    }
}

fn shared_libraries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("lib") && n.contains(".so")))
        .collect()
}

fn is_variant(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libggml-cpu-"))
}

/// A fresh hard link (a copy across file systems): a stale library left from an
/// earlier build of llama.cpp must never be the one found.
fn place(from: &Path, to: &Path) {
    let _ = std::fs::remove_file(to);
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
    }
}
