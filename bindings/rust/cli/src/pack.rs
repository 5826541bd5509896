//! `inf-wasi pack MODEL.gguf -o app.wasm`: the component with the model (and a
//! projector) inside, in the format of docs/packed-models.md.

use crate::cli::PackArgs;
use crate::output::{note, Result};
use std::io::Write;

pub fn pack(args: PackArgs) -> Result {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => {
            args.model.file_stem().map(|s| s.to_string_lossy().into_owned()).ok_or("the model path has no file name")?
        }
    };
    // Written beside the output and renamed into place: a half-written file is never left under its name.
    let partial = args.output.with_extension("wasm.partial");
    let written = (|| -> std::io::Result<u64> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&partial)?);
        let size = inf_wasi::packed::pack(inf_wasi::COMPONENT, &name, &args.model, args.mmproj.as_deref(), &mut out)?;
        out.flush()?;
        Ok(size)
    })();
    let size = match written {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(format!("cannot pack {}: {e}", args.model.display()).into());
        }
    };
    // The file must read back as it will be opened: sections, hashes and the GGUF check.
    if let Err(e) = inf_wasi::packed::read(&partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(e.message.into());
    }
    std::fs::rename(&partial, &args.output)?;
    note(format!("{}: `{name}` packed, {size} bytes", args.output.display()));
    Ok(())
}
