//! The bench's sampling setting (`BENCH_SAMPLING`), the same for the native loop
//! and the component: `greedy` (the default), `default` (the profile's default
//! sampler: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, a fixed seed) or
//! `json` (greedy under the grammar of a JSON schema, the component's own
//! conversion), so that each setting's per-token cost shows against greedy. The
//! Python, Java and Node rows get the same setting through the environment; the
//! peers (llama-cpp-python, node-llama-cpp) run greedy only.

use inf_wasi::GenerateOptions;
use inf_wasi_profile::SamplingConfig;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;

const SEED: u32 = 42;
/// Long enough output for the generation's length: a list of records.
const SCHEMA: &str = r#"{"type": "array", "minItems": 8, "items": {"type": "object",
  "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}}"#;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sampling {
    Greedy,
    Default,
    Json,
}

impl Sampling {
    pub fn from_env() -> Self {
        match std::env::var("BENCH_SAMPLING").as_deref() {
            Ok("default") => Self::Default,
            Ok("json") => Self::Json,
            Ok("greedy") | Err(_) => Self::Greedy,
            Ok(other) => panic!("BENCH_SAMPLING={other}: use greedy, default or json"),
        }
    }

    /// The setting for the other languages' rows, as environment variables they
    /// read: `BENCH_TEMPERATURE`, `BENCH_SEED`, `BENCH_JSON_SCHEMA` (each absent
    /// where the binding's default holds).
    pub fn child_env(self) -> Vec<(&'static str, String)> {
        match self {
            Self::Greedy => vec![("BENCH_TEMPERATURE", "0".into())],
            Self::Default => vec![("BENCH_SEED", SEED.to_string())],
            Self::Json => vec![("BENCH_TEMPERATURE", "0".into()), ("BENCH_JSON_SCHEMA", SCHEMA.into())],
        }
    }

    /// The component's options for this setting.
    pub fn options(self, max_tokens: u32) -> GenerateOptions {
        let options = match self {
            Self::Greedy => GenerateOptions::greedy(),
            Self::Default => GenerateOptions::default().seed(SEED),
            Self::Json => GenerateOptions::greedy().json_schema(SCHEMA),
        };
        options.max_tokens(max_tokens)
    }

    /// The same choice in plain llama-cpp-2: the chain the backend builds for it.
    pub fn native_sampler(self, model: &LlamaModel) -> LlamaSampler {
        match self {
            Self::Greedy => LlamaSampler::greedy(),
            Self::Default => {
                let c = SamplingConfig::default();
                assert_eq!(c.repeat_penalty, 1.0, "the default sampler has no repeat penalty");
                LlamaSampler::chain_simple([
                    LlamaSampler::top_k(c.top_k as i32),
                    LlamaSampler::top_p(c.top_p, 1),
                    LlamaSampler::min_p(c.min_p, 1),
                    LlamaSampler::temp(c.temperature),
                    LlamaSampler::dist(SEED),
                ])
            }
            Self::Json => {
                let schema = serde_json::from_str(SCHEMA).expect("the bench's schema is JSON");
                let gbnf = inf_wasi_component::json_schema::schema_to_gbnf(&schema).expect("the schema converts");
                let grammar = LlamaSampler::grammar(model, &gbnf, "root").expect("the grammar parses");
                LlamaSampler::chain_simple([grammar, LlamaSampler::greedy()])
            }
        }
    }
}
