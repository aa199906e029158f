//! Driving async calls that own their store: [`OwnedCallFuture`] (a
//! `'static` future holding a `Store<T>`), [`spawn_call`] (one call on its
//! own thread) and [`Poller`] (one thread driving many calls round-robin).
//!
//! In all three the store *moves* into the call and comes back with its
//! result, so nothing can touch a store while it is being driven.

use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};

use crate::{CallFuture, Error, Func, Result, Store, TypedFunc, Val, WasmParams, WasmResults};

/// A call that can be started in a store, for the APIs that take
/// ownership of the store ([`OwnedCallFuture::new`], [`spawn_call`],
/// [`Poller::submit`]).
///
/// Implemented for `(Func, Vec<Val>)` (output `Vec<Val>`, as
/// [`Func::call_async`]) and `(TypedFunc<P, R>, P)` (output `R`, as
/// [`TypedFunc::call_async`]).
pub trait AsyncCall<T> {
    /// What the call produces.
    type Output;

    /// Starts the call in `store`.
    fn start(self, store: &mut Store<T>) -> Result<CallFuture<'_, Self::Output>>;
}

impl<T: Send> AsyncCall<T> for (Func, Vec<Val>) {
    type Output = Vec<Val>;
    fn start(self, store: &mut Store<T>) -> Result<CallFuture<'_, Vec<Val>>> {
        Ok(self.0.call_async_vec(store, &self.1))
    }
}

impl<T: Send, P: WasmParams + Sync, R: WasmResults + Sync> AsyncCall<T> for (TypedFunc<P, R>, P) {
    type Output = R;
    fn start(self, store: &mut Store<T>) -> Result<CallFuture<'_, R>> {
        // An `Err`, not `call_async`'s panic, so the store comes back.
        crate::AsContextMut::as_context_mut(store).0.opaque.check_id(self.0.func().0.store_id)?;
        Ok(self.0.call_async(store, self.1))
    }
}

/// An async call that owns its store: a `'static` future whose output is
/// the store back together with the call's result. `Send` when `T` and `R`
/// are, so it can be handed to `tokio::spawn`, a thread, or a [`Poller`].
///
/// Like [`CallFuture`], it wakes its waker at once while pending (the C API
/// has no wakeups). Dropping it unfinished cancels the call and drops the
/// store; [`cancel`](OwnedCallFuture::cancel) cancels and keeps the store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "sq") (param i32) (result i32)
///     local.get 0 local.get 0 i32.mul))"#)?;
/// let mut store = Store::new(&engine, "data");
/// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait()?;
/// let sq = instance.get_typed_func::<i32, i32>(&mut store, "sq")?;
/// let future = OwnedCallFuture::new(store, (sq, 9));
/// let (store, result) = pollster::block_on(future);
/// assert_eq!(result?, 81);
/// assert_eq!(*store.data(), "data");
/// # Ok(()) }
/// ```
#[must_use = "an OwnedCallFuture does nothing unless polled, and cancels the call when dropped"]
pub struct OwnedCallFuture<T: 'static, R: 'static> {
    // Field order matters only for clarity: `Drop` drops the future, which
    // borrows `*store`, before the store.
    future: Option<CallFuture<'static, R>>,
    output: Option<Result<R>>,
    /// From `Box::into_raw`; never touched while `future` is alive.
    store: Option<NonNull<Store<T>>>,
}

// SAFETY: the fields are a `CallFuture` (`Send` when `R` is; made from a
// `Store<T>` with `T: Send`), the call's output, and an owned `Store<T>`
// (`Send` when `T` is).
unsafe impl<T: Send, R: Send> Send for OwnedCallFuture<T, R> {}

// No field is structurally pinned.
impl<T, R> Unpin for OwnedCallFuture<T, R> {}

impl<T, R> std::fmt::Debug for OwnedCallFuture<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedCallFuture").field("finished", &self.future.is_none()).finish_non_exhaustive()
    }
}

impl<T: Send + 'static, R: 'static> OwnedCallFuture<T, R> {
    /// Moves `store` into a new future and starts `call` in it. If the call
    /// cannot start (e.g. a function from another store), the future
    /// completes at once with that `Err` (and the store).
    pub fn new<C: AsyncCall<T, Output = R>>(store: Store<T>, call: C) -> OwnedCallFuture<T, R> {
        let store = NonNull::from(Box::leak(Box::new(store)));
        // SAFETY: the store lives in its own allocation, freed only in
        // `into_parts`/`cancel`/`Drop` after the future is gone; nothing
        // else reaches it meanwhile. `start` is generic over the borrow's
        // lifetime, so it cannot keep the borrow beyond the returned future.
        let borrowed: &'static mut Store<T> = unsafe { &mut *store.as_ptr() };
        let (future, output) = match call.start(borrowed) {
            // A call that could not start is finished at once.
            Ok(mut future) if future.is_finished() => (None, Some(future.take_output())),
            Ok(future) => (Some(future), None),
            Err(error) => (None, Some(Err(error))),
        };
        OwnedCallFuture { future, output, store: Some(store) }
    }
}

impl<T: 'static, R: 'static> OwnedCallFuture<T, R> {
    /// Resumes the call once; `true` once it has finished. See
    /// [`CallFuture::poll_once`].
    pub fn poll_once(&mut self) -> bool {
        let Some(future) = &mut self.future else { return true };
        if !future.poll_once() {
            return false;
        }
        self.output = Some(future.take_output());
        self.future = None;
        true
    }

    /// Whether the call has finished.
    pub fn is_finished(&self) -> bool {
        self.future.is_none()
    }

    /// Blocks the current thread until the call finishes; returns the store
    /// and the result.
    pub fn wait(mut self) -> (Store<T>, Result<R>) {
        while !self.poll_once() {
            std::thread::yield_now();
        }
        self.take().expect("a finished OwnedCallFuture holds its store")
    }

    /// Cancels the call if it has not finished and returns the store.
    pub fn cancel(mut self) -> Store<T> {
        self.future = None;
        self.take_store().expect("an OwnedCallFuture holds its store until consumed")
    }

    /// Ends the call (whose poll panicked) with an `Err` carrying the
    /// panic's message, for the [`Poller`].
    fn finish_with_panic(&mut self, payload: Box<dyn std::any::Any + Send>) {
        let message = payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str)).unwrap_or("Box<dyn Any>");
        self.output = Some(Err(Error::msg(format!("host function panicked: {message}"))));
        crate::guard::drop_payload(payload);
        self.future = None;
    }

    /// The store and the result, once finished (and not yet taken).
    fn take(&mut self) -> Option<(Store<T>, Result<R>)> {
        if self.future.is_some() {
            return None;
        }
        let store = self.take_store()?;
        let output = self.output.take().unwrap_or_else(|| Err(Error::msg("the output of this call was already taken")));
        Some((store, output))
    }

    fn take_store(&mut self) -> Option<Store<T>> {
        debug_assert!(self.future.is_none());
        // SAFETY: the pointer came from `Box::leak` in `new`; the future
        // borrowing it is gone; `take` makes this happen once.
        self.store.take().map(|store| *unsafe { Box::from_raw(store.as_ptr()) })
    }
}

impl<T: 'static, R: 'static> Future for OwnedCallFuture<T, R> {
    type Output = (Store<T>, Result<R>);

    /// One [`poll_once`](OwnedCallFuture::poll_once); while pending, wakes
    /// the waker at once.
    ///
    /// # Panics
    /// If polled again after returning `Ready` (the store is gone).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.poll_once() {
            Poll::Ready(this.take().expect("OwnedCallFuture polled after completion"))
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl<T: 'static, R: 'static> Drop for OwnedCallFuture<T, R> {
    fn drop(&mut self) {
        // Cancel first: the C future points into the store.
        self.future = None;
        drop(self.take_store());
    }
}

/// Waits between rounds of polls: yields for a zero interval, else sleeps.
fn pause(interval: Duration) {
    if interval.is_zero() {
        std::thread::yield_now();
    } else {
        std::thread::sleep(interval);
    }
}

/// Moves `store` onto a new OS thread that runs `call` to completion,
/// sleeping `poll_interval` whenever the call is pending (a zero interval
/// just yields the thread). [`CallThread::join`] returns the store and the
/// result.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use std::time::Duration;
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "inc") (param i64) (result i64)
///     local.get 0 i64.const 1 i64.add))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait()?;
/// let inc = instance.get_func(&mut store, "inc").unwrap();
/// let thread = spawn_call(store, (inc, vec![Val::I64(41)]), Duration::from_micros(50));
/// let (_store, result) = thread.join();
/// assert_eq!(result?[0].i64(), Some(42));
/// # Ok(()) }
/// ```
pub fn spawn_call<T, C>(store: Store<T>, call: C, poll_interval: Duration) -> CallThread<T, C::Output>
where
    T: Send + 'static,
    C: AsyncCall<T>,
    C::Output: Send + 'static,
{
    let mut future = OwnedCallFuture::new(store, call);
    let handle = std::thread::Builder::new()
        .name("wasmtime-mbt-call".into())
        .spawn(move || {
            while !future.poll_once() {
                pause(poll_interval);
            }
            future.take().expect("a finished OwnedCallFuture holds its store")
        })
        .expect("failed to spawn a thread");
    CallThread { handle }
}

/// The thread started by [`spawn_call`].
#[derive(Debug)]
pub struct CallThread<T, R> {
    handle: JoinHandle<(Store<T>, Result<R>)>,
}

impl<T, R> CallThread<T, R> {
    /// Waits for the call; returns the store and the result.
    ///
    /// # Panics
    /// Re-raises a panic of the thread: a host function's panic, which the
    /// call's poll resumes as `wasmtime` does (the store is then lost).
    pub fn join(self) -> (Store<T>, Result<R>) {
        match self.handle.join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Whether the call has finished (so [`join`](Self::join) won't block).
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

/// One type-erased job of a [`Poller`].
trait Job: Send {
    /// Polls once; `true` when finished and its result sent.
    fn poll(&mut self) -> bool;
}

struct PollJob<T: 'static, R: 'static> {
    future: Option<OwnedCallFuture<T, R>>,
    reply: Sender<(Store<T>, Result<R>)>,
}

impl<T: Send + 'static, R: Send + 'static> Job for PollJob<T, R> {
    fn poll(&mut self) -> bool {
        let Some(future) = &mut self.future else { return true };
        // A host panic, which a poll resumes (as `wasmtime` does), would
        // take down the poller thread and every call on it: here it ends
        // its own call only, with an `Err` carrying the message.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.poll_once())) {
            Ok(false) => return false,
            Ok(true) => {}
            Err(payload) => future.finish_with_panic(payload),
        }
        let out = future.take().expect("a finished OwnedCallFuture holds its store");
        self.future = None;
        // A dropped handle just drops the store.
        let _ = self.reply.send(out);
        true
    }
}

impl<T: 'static, R: 'static> Drop for PollJob<T, R> {
    fn drop(&mut self) {
        // Dropped unfinished: the poller is shutting down (or its thread
        // is unwinding). Cancel, and hand the store back.
        if let Some(future) = self.future.take() {
            let store = future.cancel();
            let _ = self.reply.send((store, Err(Error::msg("the call was cancelled: its Poller was dropped"))));
        }
    }
}

/// A job of [`Poller::submit`]: the call starts at its first poll, on the
/// poller thread.
struct StartJob<T: 'static, C: AsyncCall<T>>
where
    C::Output: 'static,
{
    start: Option<(Store<T>, C)>,
    job: Option<PollJob<T, C::Output>>,
    reply: Option<Sender<(Store<T>, Result<C::Output>)>>,
}

impl<T, C> Job for StartJob<T, C>
where
    T: Send + 'static,
    C: AsyncCall<T> + Send + 'static,
    C::Output: Send + 'static,
{
    fn poll(&mut self) -> bool {
        if let Some((store, call)) = self.start.take() {
            let reply = self.reply.take().expect("a StartJob starts once");
            // Starting runs no wasm and no user code, but a panic here (a
            // bug) must not take down the poller thread and every call on
            // it: it ends this call, whose `join` then panics on the
            // submitting thread, as it did when calls started there.
            let Some(future) = crate::guard::no_unwind(|| OwnedCallFuture::new(store, call)) else { return true };
            self.job = Some(PollJob { future: Some(future), reply });
        }
        self.job.as_mut().is_none_or(Job::poll)
    }
}

impl<T: 'static, C: AsyncCall<T>> Drop for StartJob<T, C>
where
    C::Output: 'static,
{
    fn drop(&mut self) {
        // Dropped before it started (the poller is shutting down): hand the
        // store back. (A started job replies from `PollJob`'s `Drop`.)
        if let (Some((store, _)), Some(reply)) = (self.start.take(), self.reply.take()) {
            let _ = reply.send((store, Err(Error::msg("the call was cancelled: its Poller was dropped"))));
        }
    }
}

enum Message {
    Job(Box<dyn Job>),
    /// Finish every job, then stop (sent by [`Poller::finish`]).
    Finish,
}

/// A background OS thread that drives many async calls, each in its own
/// store, round-robin.
///
/// [`submit`](Poller::submit) moves a store and a call into the poller and
/// returns a [`PollerHandle`] that yields the store back with the result.
/// The thread polls every job once per round; when a round finishes no
/// job, it waits `poll_interval` (or until a new job arrives) before the
/// next. With no job at all it sleeps on its channel until one is
/// submitted, so `poll_interval` only paces calls that are pending: a job
/// submitted to an idle poller starts at once, whatever the interval. Each
/// poll runs the wasm until it finishes or yields, so calls that never
/// yield (no fuel/epoch yielding, no async host function) hold the thread
/// until they are done.
///
/// Dropping the `Poller` **cancels** unfinished jobs: each handle receives
/// its store with an `Err`; the drop waits for the thread to exit.
/// [`finish`](Poller::finish) instead waits for every job to complete.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use std::time::Duration;
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "double") (param i32) (result i32)
///     local.get 0 i32.const 2 i32.mul))"#)?;
/// let linker = Linker::new(&engine);
/// let poller = Poller::new(Duration::from_micros(100));
/// let mut handles = Vec::new();
/// for i in 0..10 {
///     let mut store = Store::new(&engine, i);
///     let instance = linker.instantiate_async(&mut store, &module).wait()?;
///     let double = instance.get_typed_func::<i32, i32>(&mut store, "double")?;
///     handles.push(poller.submit(store, (double, i)));
/// }
/// for handle in handles {
///     let (store, result) = handle.join();
///     assert_eq!(result?, 2 * *store.data());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Poller {
    sender: Option<Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl Default for Poller {
    /// A poller waiting 100µs between idle rounds.
    fn default() -> Poller {
        Poller::new(Duration::from_micros(100))
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Message::Job(_) => "Job",
            Message::Finish => "Finish",
        })
    }
}

impl Poller {
    /// Starts the poller thread; `poll_interval` is how long it waits after
    /// a round of polls in which no job finished (zero: just yield), unless
    /// a job is submitted meanwhile. An idle poller (no jobs) waits for the
    /// next submission instead, without a timeout.
    pub fn new(poll_interval: Duration) -> Poller {
        let (sender, receiver) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("wasmtime-mbt-poller".into())
            .spawn(move || run_poller(receiver, poll_interval))
            .expect("failed to spawn the poller thread");
        Poller { sender: Some(sender), thread: Some(thread) }
    }

    /// Moves `store` into the poller, which starts `call` in it on its own
    /// thread and drives it. If the call cannot start, the handle yields
    /// the store with that `Err`.
    ///
    /// Starting on the poller thread keeps the submitting thread's work to
    /// a hand-off, so a poller waiting for work is still spinning (not
    /// parked) when the next call arrives.
    pub fn submit<T, C>(&self, store: Store<T>, call: C) -> PollerHandle<T, C::Output>
    where
        T: Send + 'static,
        C: AsyncCall<T> + Send + 'static,
        C::Output: Send + 'static,
    {
        let (reply, receiver) = crossbeam_channel::bounded(1);
        self.send(Box::new(StartJob { start: Some((store, call)), job: None, reply: Some(reply) }));
        PollerHandle { receiver }
    }

    /// Sends `job` to the thread. If the thread is gone (it can only have
    /// panicked), the message comes back and dropping it cancels the job,
    /// replying with the store.
    fn send(&self, job: Box<dyn Job>) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(Message::Job(job));
        }
    }

    /// Hands an already started [`OwnedCallFuture`] to the poller.
    pub fn submit_future<T, R>(&self, future: OwnedCallFuture<T, R>) -> PollerHandle<T, R>
    where
        T: Send + 'static,
        R: Send + 'static,
    {
        let (reply, receiver) = crossbeam_channel::bounded(1);
        self.send(Box::new(PollJob { future: Some(future), reply }));
        PollerHandle { receiver }
    }

    /// Waits for every submitted job to finish (however long that takes),
    /// then stops the thread.
    pub fn finish(self) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(Message::Finish);
        }
        // `Drop` disconnects and joins; the thread finishes its jobs first.
    }
}

impl Drop for Poller {
    /// Cancels unfinished jobs (unless [`finish`](Poller::finish) was
    /// called) and waits for the thread to exit.
    fn drop(&mut self) {
        drop(self.sender.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The poller thread: blocks on the channel while it has no job; while
/// jobs are pending, polls them round-robin and, between rounds that
/// finish none, waits `poll_interval` (cut short by a message while the
/// channel is connected).
fn run_poller(receiver: Receiver<Message>, poll_interval: Duration) {
    let mut jobs: Vec<Box<dyn Job>> = Vec::new();
    let mut finishing = false;
    let mut disconnected = false;
    fn handle(message: Message, jobs: &mut Vec<Box<dyn Job>>, finishing: &mut bool) {
        match message {
            Message::Job(job) => jobs.push(job),
            Message::Finish => *finishing = true,
        }
    }
    loop {
        if jobs.is_empty() {
            if finishing || disconnected {
                return;
            }
            match receiver.recv() {
                Ok(message) => handle(message, &mut jobs, &mut finishing),
                Err(_) => return,
            }
        }
        while !disconnected {
            match receiver.try_recv() {
                Ok(message) => handle(message, &mut jobs, &mut finishing),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => disconnected = true,
            }
        }
        if disconnected && !finishing {
            // Dropped without `finish`: cancel everything (`PollJob::drop`).
            return;
        }
        let before = jobs.len();
        jobs.retain_mut(|job| !job.poll());
        if jobs.len() == before && !jobs.is_empty() {
            if disconnected || poll_interval.is_zero() {
                pause(poll_interval);
            } else {
                match receiver.recv_timeout(poll_interval) {
                    Ok(message) => handle(message, &mut jobs, &mut finishing),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => disconnected = true,
                }
            }
        }
    }
}

/// Receives the store and result of a call submitted to a [`Poller`].
/// Dropping it does not cancel the call (its store is dropped when done).
#[derive(Debug)]
pub struct PollerHandle<T, R> {
    receiver: Receiver<(Store<T>, Result<R>)>,
}

impl<T, R> PollerHandle<T, R> {
    /// Blocks until the call finishes (or is cancelled by dropping the
    /// poller); returns the store and the result.
    pub fn join(self) -> (Store<T>, Result<R>) {
        self.receiver.recv().expect("the Poller dropped a job without returning its store")
    }

    /// The store and result if the call is done, else the handle back.
    pub fn try_join(self) -> std::result::Result<(Store<T>, Result<R>), PollerHandle<T, R>> {
        match self.receiver.try_recv() {
            Ok(out) => Ok(out),
            Err(_) => Err(self),
        }
    }

    /// The channel the result arrives on, e.g. for `crossbeam_channel::select!`.
    pub fn receiver(&self) -> &Receiver<(Store<T>, Result<R>)> {
        &self.receiver
    }
}
