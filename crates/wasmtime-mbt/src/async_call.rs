//! Async calls: `CallFuture` over `wasmtime_func_call_async` (work in progress).
