//! A group: one llama.cpp context whose sequences belong to different
//! sessions, the queue of their work, and the rule for who runs the next step.
//!
//! A session that queues work waits until its job is done. In a context of
//! one sequence, the session runs the step itself, on its own thread, as an
//! unbatched session would. A shared context has a thread of its own that runs
//! every step: llama.cpp decodes a context at half speed or less when the
//! calls come from different threads (measured with Gemma 3 270M and two
//! OpenMP threads: 54 ms for one token against 26, 135 ms for eight against
//! 66), so the sessions' threads hand it their work instead of taking turns.
//! Before stepping it waits, briefly, for every generating session to have
//! queued its next token: a session that is still turning the last piece into
//! text (in the component, in Python) would otherwise miss the step and need
//! one of its own, and the steps would alternate between one session and the rest.

use super::step::{self, Planned};
use crate::cancel::CancelFlag;
use crate::context::OwnedContext;
use crate::error::ProfileError;
use crate::model::{Batching, LoadedModel};
use crate::sampling::TokenPicker;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::token::LlamaToken;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest a step waits for a generating session's next token, and the
/// shortest: a share of the last step's time, so the wait costs little of it.
const GATHER_MIN: Duration = Duration::from_millis(1);
const GATHER_MAX: Duration = Duration::from_millis(20);

/// Tokens of one sequence to evaluate, from position `start`, and with a
/// picker, the token that comes after the last of them.
pub(crate) struct Job {
    pub(crate) seq: i32,
    pub(crate) tokens: Vec<LlamaToken>,
    pub(crate) start: usize,
    pub(crate) picker: Option<TokenPicker>,
    pub(crate) cancel: CancelFlag,
    /// How many of `tokens` earlier steps evaluated.
    pub(super) done: usize,
    reply: Arc<Reply>,
}

impl Job {
    pub(crate) fn new(
        seq: i32,
        tokens: Vec<LlamaToken>,
        start: usize,
        picker: Option<TokenPicker>,
        cancel: CancelFlag,
    ) -> Self {
        Self { seq, tokens, start, picker, cancel, done: 0, reply: Arc::default() }
    }

    pub(super) fn remaining(&self) -> usize {
        self.tokens.len() - self.done
    }

    /// Ends the job: its submitter, and no other thread, wakes with `outcome`.
    pub(super) fn finish(self, outcome: JobOutcome) {
        self.reply.deliver(outcome);
    }
}

/// How a job ended.
pub(crate) struct JobOutcome {
    /// How many of its tokens are in the cache: all of them on success; on
    /// failure, those of the steps before the one that failed.
    pub(crate) evaluated: usize,
    /// The job's picker, given back (none if it had none, or after a panic).
    pub(crate) picker: Option<TokenPicker>,
    /// The next token, for a job with a picker.
    pub(crate) result: Result<Option<LlamaToken>, ProfileError>,
}

/// Where one job's outcome arrives; only the job's submitter waits on it.
#[derive(Default)]
struct Reply {
    outcome: Mutex<Option<JobOutcome>>,
    ready: Condvar,
}

impl Reply {
    fn deliver(&self, outcome: JobOutcome) {
        *lock(&self.outcome) = Some(outcome);
        self.ready.notify_one();
    }

    fn take(&self) -> Option<JobOutcome> {
        lock(&self.outcome).take()
    }

    fn wait(&self) -> JobOutcome {
        let mut outcome = lock(&self.outcome);
        loop {
            match outcome.take() {
                Some(done) => return done,
                None => outcome = self.ready.wait(outcome).unwrap_or_else(|e| e.into_inner()),
            }
        }
    }
}

/// A shared context and, when it has more than one sequence, the thread that steps it.
pub(crate) struct Group {
    shared: Arc<Shared>,
    stepper: Option<std::thread::JoinHandle<()>>,
}

pub(crate) struct Shared {
    n_ctx_seq: u32,
    n_batch: usize,
    batching: Batching,
    ctx: Mutex<Stepper>,
    state: Mutex<State>,
    /// Wakes whoever steps: work was queued, or a session stopped generating.
    work: Condvar,
}

/// The context and the batch it decodes, reused from step to step.
pub(super) struct Stepper {
    pub(super) ctx: OwnedContext,
    pub(super) batch: LlamaBatch<'static>,
    /// The abort flag of a step shared by several jobs: never raised.
    pub(super) never: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Default)]
struct State {
    free: Vec<i32>,
    queue: Vec<Job>,
    /// The replies of the jobs the running step holds (none: no step is running).
    running: Option<Vec<Arc<Reply>>>,
    /// Per sequence: its session is generating, and a step waits for its token.
    expected: Vec<bool>,
    generating: Vec<bool>,
    gathering_since: Option<Instant>,
    last_step: Duration,
    /// The last step served one-token jobs: a waiting prompt goes next (`Batching::Exact`).
    prompt_turn: bool,
    /// The group is being dropped: its stepping thread ends.
    closing: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl std::ops::Deref for Group {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        lock(&self.shared.state).closing = true;
        self.shared.work.notify_all();
        if let Some(thread) = self.stepper.take() {
            let _ = thread.join();
        }
    }
}

impl Group {
    pub(super) fn new(loaded: &Arc<LoadedModel>, n_ctx_seq: u32) -> Result<Self, ProfileError> {
        let shared = Arc::new(Shared::new(loaded, n_ctx_seq)?);
        let stepper = if loaded.options.parallel > 1 {
            let serving = shared.clone();
            let thread = std::thread::Builder::new().name("inf-wasi-batch".into()).spawn(move || serving.serve());
            Some(thread.map_err(|e| ProfileError::backend(format!("could not start a batching thread: {e}")))?)
        } else {
            None
        };
        Ok(Self { shared, stepper })
    }

    /// Queues `job` and waits for the step that finishes it: handed to the
    /// stepping thread of a shared context, run here in a context of one.
    pub(super) fn run(&self, job: Job) -> JobOutcome {
        let reply = job.reply.clone();
        let mut state = lock(&self.state);
        let seq = job.seq as usize;
        state.expected[seq] = state.generating[seq];
        state.queue.push(job);
        if self.stepper.is_some() {
            drop(state);
            self.work.notify_one();
            return reply.wait();
        }
        loop {
            if let Some(outcome) = reply.take() {
                return outcome;
            }
            state = self.step_or_wait(state);
        }
    }
}

impl Shared {
    fn new(loaded: &Arc<LoadedModel>, n_ctx_seq: u32) -> Result<Self, ProfileError> {
        let parallel = loaded.options.parallel;
        let ctx = OwnedContext::new(loaded, loaded.group_context_params(n_ctx_seq))?;
        let n_batch = loaded.options.batch_size as usize;
        let state = State {
            free: (0..parallel as i32).rev().collect(),
            expected: vec![false; parallel as usize],
            generating: vec![false; parallel as usize],
            ..State::default()
        };
        Ok(Self {
            n_ctx_seq,
            n_batch,
            batching: loaded.options.batching,
            ctx: Mutex::new(Stepper { ctx, batch: LlamaBatch::new(n_batch, 1), never: Arc::default() }),
            state: Mutex::new(state),
            work: Condvar::new(),
        })
    }

    pub(super) fn n_ctx_seq(&self) -> u32 {
        self.n_ctx_seq
    }

    /// The lowest free sequence: sessions then hold a run of consecutive
    /// sequences, which llama.cpp can decode in one micro-batch (see `step::plan`).
    pub(super) fn take_seq(&self) -> Option<i32> {
        let mut state = lock(&self.state);
        let lowest = (0..state.free.len()).min_by_key(|&i| state.free[i])?;
        Some(state.free.swap_remove(lowest))
    }

    pub(super) fn give_back(&self, seq: i32) {
        let mut state = lock(&self.state);
        state.generating[seq as usize] = false;
        state.expected[seq as usize] = false;
        state.free.push(seq);
        self.work.notify_one();
    }

    pub(super) fn set_generating(&self, seq: i32, generating: bool) {
        let mut state = lock(&self.state);
        state.generating[seq as usize] = generating;
        state.expected[seq as usize] = generating;
        // A step waiting for this session's token need not wait any more.
        self.work.notify_one();
    }

    pub(super) fn with_context<R>(&self, f: impl FnOnce(&mut OwnedContext) -> R) -> R {
        f(&mut lock(&self.ctx).ctx)
    }

    /// The stepping thread of a shared context: steps while there is work,
    /// until the group is dropped. A panic inside a step fails that step's
    /// jobs (`StepGuard`) and the thread goes on.
    fn serve(&self) {
        let mut state = lock(&self.state);
        while !state.closing {
            if state.queue.is_empty() {
                state = self.work.wait(state).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            let stepped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(self.step_or_wait(state))));
            if stepped.is_err() {
                lock(&self.state).running = None;
            }
            state = lock(&self.state);
        }
    }

    /// Runs the next step, or waits for the generating sessions whose tokens
    /// are not queued yet (see `gather_wait`).
    fn step_or_wait<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        match self.gather_wait(&mut state) {
            None => self.step(state),
            Some(wait) => self.work.wait_timeout(state, wait).unwrap_or_else(|e| e.into_inner()).0,
        }
    }

    /// None when the next step should run now; otherwise how much longer to
    /// wait for the generating sessions whose tokens are not queued yet. A
    /// session that misses a step is not waited for again until it queues work.
    fn gather_wait(&self, state: &mut State) -> Option<Duration> {
        let queued = |seq: usize, state: &State| state.queue.iter().any(|job| job.seq as usize == seq);
        let missing: Vec<usize> =
            (0..state.expected.len()).filter(|&seq| state.expected[seq] && !queued(seq, state)).collect();
        if missing.is_empty() || state.queue.is_empty() {
            return None;
        }
        let window = (state.last_step / 2).clamp(GATHER_MIN, GATHER_MAX);
        let since = *state.gathering_since.get_or_insert_with(Instant::now);
        match window.checked_sub(since.elapsed()) {
            Some(left) if !left.is_zero() => Some(left),
            _ => {
                for seq in missing {
                    state.expected[seq] = false;
                }
                None
            }
        }
    }

    /// Runs one step over the queued work, with the state unlocked while it decodes.
    fn step<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        state.gathering_since = None;
        // Work whose caller gave up ends before the step.
        let (cancelled, queue): (Vec<Job>, Vec<Job>) =
            std::mem::take(&mut state.queue).into_iter().partition(|job| job.cancel.is_cancelled());
        state.queue = queue;
        for mut job in cancelled {
            let (evaluated, picker) = (job.done, job.picker.take());
            job.finish(JobOutcome { evaluated, picker, result: Err(crate::session::cancelled()) });
        }
        let prompt_turn = state.prompt_turn;
        let planned: Vec<Planned> = step::plan(&mut state.queue, self.n_batch, self.batching, prompt_turn);
        if planned.is_empty() {
            return state;
        }
        state.prompt_turn = planned.iter().all(|p| p.job.remaining() == 1);
        state.running = Some(planned.iter().map(|p| p.job.reply.clone()).collect());
        drop(state);
        let started = Instant::now();
        let unfinished = {
            let guard = StepGuard { group: self };
            let finished = step::run(&mut lock(&self.ctx), planned);
            std::mem::forget(guard);
            finished
        };
        let mut state = lock(&self.state);
        state.last_step = started.elapsed();
        state.running = None;
        for finished in unfinished {
            match finished {
                step::Finished::Done(job, outcome) => job.finish(outcome),
                step::Finished::Again(job) => state.queue.insert(0, job),
            }
        }
        state
    }
}

/// Fails the running step's jobs if the step panics (a fault inside
/// llama-cpp-2), so that no session waits for a step that will never end.
struct StepGuard<'a> {
    group: &'a Shared,
}

impl Drop for StepGuard<'_> {
    fn drop(&mut self) {
        let running = lock(&self.group.state).running.take();
        for reply in running.unwrap_or_default() {
            let error = ProfileError::backend("internal error in a batched decode; the session's generation ended");
            reply.deliver(JobOutcome { evaluated: 0, picker: None, result: Err(error) });
        }
    }
}
