//! What a plugin may import: the engine's interfaces, and WASI 0.2 with
//! nothing behind it. CPython (componentize-py) imports all of WASI 0.2, files
//! and sockets included, whether the plugin uses them or not; hosts serve
//! those with no directories and every address refused. Anything else (an
//! HTTP client, another host's interface) is refused before the plugin runs.

use crate::PluginError;

/// The packages a plugin may import interfaces of, with the version prefix granted.
pub const GRANTED: [(&str, &str); 7] = [
    ("inf:wasi/", "0.1."),
    ("wasi:io/", "0.2."),
    ("wasi:clocks/", "0.2."),
    ("wasi:random/", "0.2."),
    ("wasi:cli/", "0.2."),
    ("wasi:filesystem/", "0.2."),
    ("wasi:sockets/", "0.2."),
];

/// Refuses the first import outside [`GRANTED`], naming it.
pub fn check_imports(imports: &[String]) -> Result<(), PluginError> {
    match imports.iter().find(|name| !granted(name)) {
        None => Ok(()),
        Some(name) => Err(PluginError::Refused(format!(
            "the plugin imports {name}, which inf-wasi does not give plugins: a plugin gets the model \
             (inf:wasi/inference) and WASI 0.2 with no files, network or environment behind it"
        ))),
    }
}

fn granted(name: &str) -> bool {
    GRANTED.iter().any(|(package, version)| {
        name.strip_prefix(package)
            .and_then(|rest| rest.split_once('@'))
            .is_some_and(|(interface, v)| !interface.is_empty() && v.starts_with(version))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_engine_and_wasi_0_2_are_granted() {
        let cpython = ["wasi:io/streams@0.2.9", "wasi:sockets/tcp@0.2.0", "wasi:filesystem/preopens@0.2.3"];
        assert_eq!(check_imports(&names(&["inf:wasi/inference@0.1.0", "inf:wasi/types@0.1.0"])), Ok(()));
        assert_eq!(check_imports(&names(&cpython)), Ok(()));
    }

    #[test]
    fn anything_else_is_refused_by_name() {
        for refused in [
            "wasi:http/outgoing-handler@0.2.0",
            "wasi:filesystem/preopens@0.3.0",
            "wasi:nn/graph@0.2.0-rc-2024-10-28",
            "inf:wasi/inference@0.2.0",
            "evil:host/shell",
            "wasi:cli/@0.2.0",
            "run",
        ] {
            match check_imports(&names(&["inf:wasi/inference@0.1.0", refused])) {
                Err(PluginError::Refused(m)) => assert!(m.contains(refused), "{m}"),
                other => panic!("{refused}: {other:?}"),
            }
        }
    }
}
