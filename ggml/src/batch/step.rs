//! One step: which queued work goes into the next decode, the decode, and the
//! next token of each job it finished.

use super::group::{Job, JobOutcome, Stepper};
use crate::error::ProfileError;
use crate::model::Batching;

/// A job and how many of its tokens this step evaluates.
pub(super) struct Planned {
    pub(super) job: Job,
    take: usize,
}

pub(super) enum Finished {
    /// The job is over (evaluated, or failed), with its outcome.
    Done(Job, JobOutcome),
    /// A prompt with tokens left for later steps.
    Again(Job),
}

/// The most sequences whose rows one decode may hold and still compute each
/// row exactly as a decode of that row alone would (`Batching::Exact`): from
/// four rows on, llama.cpp's CPU backend switches to kernels that round differently.
const EXACT_ROWS: usize = 3;

/// Takes from `queue` the work of the next step, at most `budget` tokens.
///
/// Fast: every one-token job first (the delay each generating user feels),
/// then the prompts, in the order they came, a chunk at a time, all in one
/// decode. Exact: up to [`EXACT_ROWS`] one-token jobs, or else one prompt's
/// next chunk alone; `prompt_turn` alternates the two when both wait, so
/// neither starves the other.
pub(super) fn plan(queue: &mut Vec<Job>, budget: usize, batching: Batching, prompt_turn: bool) -> Vec<Planned> {
    let mut jobs = std::mem::take(queue);
    jobs.sort_by_key(|job| job.remaining() > 1);
    let singles = jobs.iter().take_while(|job| job.remaining() == 1).count();
    let (mut rows_left, mut prompts_left) = match batching {
        Batching::Fast => (usize::MAX, usize::MAX),
        Batching::Exact if singles > 0 && (!prompt_turn || singles == jobs.len()) => (EXACT_ROWS, 0),
        Batching::Exact => (0, 1),
    };
    let mut left = budget;
    let mut planned = Vec::new();
    for job in jobs {
        let slots = if job.remaining() == 1 { &mut rows_left } else { &mut prompts_left };
        let take = job.remaining().min(left);
        if take == 0 || *slots == 0 {
            queue.push(job);
            continue;
        }
        *slots -= 1;
        left -= take;
        planned.push(Planned { job, take });
    }
    // In sequence order: with a cache per sequence, llama.cpp puts into one
    // micro-batch only rows whose sequence ids follow one another (0, 1, 2, ...),
    // and a batch in any other order is split into several, each a whole pass
    // over the weights: eight rows out of order decoded at half speed.
    planned.sort_by_key(|p| p.job.seq);
    planned
}

/// Decodes the planned tokens in one batch and chooses the next token of
/// each job that this step finished.
pub(super) fn run(stepper: &mut Stepper, planned: Vec<Planned>) -> Vec<Finished> {
    super::count_step(planned.len());
    let Stepper { ctx, batch, never } = stepper;
    batch.clear();
    // For each planned job, the batch index of its last token when its next token is wanted.
    let mut logits_at = Vec::with_capacity(planned.len());
    for p in &planned {
        let job = &p.job;
        let mut wanted = None;
        for i in job.done..job.done + p.take {
            let wants_logits = i + 1 == job.tokens.len() && job.picker.is_some();
            if let Err(e) = batch.add(job.tokens[i], (job.start + i) as i32, &[job.seq], wants_logits) {
                return fail_all(planned, |_| ProfileError::backend(format!("could not build a batch: {e}")));
            }
            if wants_logits {
                wanted = Some(batch.n_tokens() - 1);
            }
        }
        if p.take > 1 {
            job.cancel.note_prompt_batch();
        }
        logits_at.push(wanted);
    }
    // llama.cpp's abort callback stops a decode within milliseconds: a step
    // serving one job stops when that job is cancelled; a shared step runs to
    // its end (at most one batch) and a cancelled job ends before the next.
    match &planned[..] {
        [only] => ctx.set_abort_flag(only.job.cancel.shared()),
        _ => ctx.set_abort_flag(never.clone()),
    }
    let generating_only = planned.iter().all(|p| p.take == 1 && p.job.picker.is_some());
    let decoded = if generating_only { crate::decode_clock::timed(|| ctx.decode(batch)) } else { ctx.decode(batch) };
    if let Err(e) = decoded {
        return fail_all(planned, |job| {
            if job.cancel.is_cancelled() {
                crate::session::cancelled()
            } else {
                ProfileError::backend(format!("llama.cpp failed to evaluate the prompt or a token: {e}"))
            }
        });
    }
    planned
        .into_iter()
        .zip(logits_at)
        .map(|(Planned { mut job, take }, at)| {
            job.done += take;
            if job.remaining() > 0 {
                return Finished::Again(job);
            }
            let mut picker = job.picker.take();
            let next = match (&mut picker, at) {
                (Some(picker), Some(at)) => Some(picker.pick(ctx.get_logits_ith(at))),
                _ => None,
            };
            let outcome = JobOutcome { evaluated: job.done, picker, result: Ok(next) };
            Finished::Done(job, outcome)
        })
        .collect()
}

/// Every planned job failed: `error` says why, and what earlier steps evaluated stays.
fn fail_all(planned: Vec<Planned>, error: impl Fn(&Job) -> ProfileError) -> Vec<Finished> {
    planned
        .into_iter()
        .map(|Planned { mut job, .. }| {
            let outcome = JobOutcome { evaluated: job.done, picker: job.picker.take(), result: Err(error(&job)) };
            Finished::Done(job, outcome)
        })
        .collect()
}
