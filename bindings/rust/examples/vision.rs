use inf_wasi::{ContentPart, Engine, GenerateOptions, Message};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A vision model's GGUF, its multimodal projector (mmproj GGUF), and a picture.
    let (model, projector, picture) =
        (std::env::var("INF_WASI_MODEL")?, std::env::var("INF_WASI_PROJECTOR")?, std::env::var("INF_WASI_IMAGE")?);
    let engine = Engine::builder().model_with_projector("vision", model, projector).build()?;
    let mut session = engine.session("vision")?;
    let question = Message::user_with_images("What is in this picture?", [ContentPart::image_file(picture)?]);
    for piece in session.chat_stream(&[question], &GenerateOptions::default().max_tokens(32))? {
        print!("{}", piece?);
    }
    println!("\nvision: {}", engine.model_info("vision")?.vision);
    Ok(())
}
