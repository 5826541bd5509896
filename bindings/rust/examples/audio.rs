use inf_wasi::{ContentPart, Engine, GenerateOptions, Message};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A speech model's GGUF, its audio projector (mmproj GGUF), and a recording (WAV, FLAC or MP3).
    let (model, projector, recording) =
        (std::env::var("INF_WASI_MODEL")?, std::env::var("INF_WASI_PROJECTOR")?, std::env::var("INF_WASI_AUDIO")?);
    let engine = Engine::builder().model_with_projector("speech", model, projector).build()?;
    let mut session = engine.session("speech")?;
    let question = Message::user_with_parts("What is said in this recording?", [ContentPart::audio_file(recording)?]);
    for piece in session.chat_stream(&[question], &GenerateOptions::default().max_tokens(32))? {
        print!("{}", piece?);
    }
    println!("\naudio: {}", engine.model_info("speech")?.audio);
    Ok(())
}
