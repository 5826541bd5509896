//! The operations, named by the `op` input of every `compute` call.

/// One operation of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Info,
    Configure,
    Tokenize,
    Detokenize,
    Embed,
    Prompt,
    Next,
    Reset,
}

impl Op {
    pub const ALL: [Op; 8] =
        [Op::Info, Op::Configure, Op::Tokenize, Op::Detokenize, Op::Embed, Op::Prompt, Op::Next, Op::Reset];

    /// The word a guest writes in the `op` input.
    pub fn name(self) -> &'static str {
        match self {
            Op::Info => "info",
            Op::Configure => "configure",
            Op::Tokenize => "tokenize",
            Op::Detokenize => "detokenize",
            Op::Embed => "embed",
            Op::Prompt => "prompt",
            Op::Next => "next",
            Op::Reset => "reset",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == word)
    }
}
