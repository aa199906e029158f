//! WASI preview 2 for components: [`Linker::add_wasip2`] and
//! [`Linker::run_command`], using the store's [`WasiConfig`](crate::WasiConfig)
//! (the same one [`Store::set_wasi`](crate::Store::set_wasi) installs for
//! preview 1 modules).

use wasmtime_mbt_sys as sys;

use super::{Component, Linker};
use crate::error::ErrorExt as _;
use crate::{AsContextMut, Error, I32Exit, Result};

impl<T: 'static> Linker<T> {
    /// Adds every WASI preview 2 interface (`wasi:cli`, `wasi:io`,
    /// `wasi:filesystem`, `wasi:clocks`, `wasi:random`, `wasi:sockets`) to
    /// this linker (`wasmtime_component_linker_add_wasip2`), as
    /// `wasmtime_wasi::p2::add_to_linker_sync` does.
    ///
    /// They act on the WASI context of the store they run in: set one with
    /// [`Store::set_wasi`](crate::Store::set_wasi). A store this linker
    /// instantiates into without one gets an empty context (no arguments
    /// or preopens, empty stdin, output discarded): Wasmtime's WASI
    /// functions would otherwise panic, which aborts the process behind
    /// the C API.
    pub fn add_wasip2(&mut self) -> Result<&mut Self> {
        // SAFETY: the linker is live and not borrowed by a `LinkerInstance`.
        unsafe { Error::check(sys::wasmtime_component_linker_add_wasip2(self.as_raw()))? };
        self.has_wasi = true;
        Ok(self)
    }

    /// Instantiates a `wasi:cli/command` component and calls its
    /// `wasi:cli/run` `run` export, as a WASI runtime would. `Ok(())` when
    /// `run` returns `ok` or the guest exits with status 0; an error whose
    /// root cause is [`I32Exit(n)`](I32Exit) for a non-zero exit status
    /// (`run` returning `err` is status 1); traps and instantiation
    /// failures as they are.
    ///
    /// ```no_run
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::component::{Component, Linker};
    /// use wasmtime_mbt::{Engine, Store, WasiConfig};
    /// let engine = Engine::default();
    /// let component = Component::from_file(&engine, "hello.wasm")?;
    /// let mut linker = Linker::new(&engine);
    /// linker.add_wasip2()?;
    /// let mut wasi = WasiConfig::new();
    /// let stdout = wasi.capture_stdout();
    /// let mut store = Store::new(&engine, ());
    /// store.set_wasi(wasi)?;
    /// linker.run_command(&mut store, &component)?;
    /// println!("{}", stdout.to_string_lossy());
    /// # Ok(()) }
    /// ```
    pub fn run_command(&self, mut store: impl AsContextMut<Data = T>, component: &Component) -> Result<()> {
        let instance = self.instantiate(&mut store, component)?;
        let ty = component.component_type();
        let run_interface = ty
            .exports(component.engine())
            .map(|(name, _)| name)
            .find(|name| name.starts_with("wasi:cli/run@"))
            .ok_or_else(|| Error::msg("component has no `wasi:cli/run` export (not a WASI command)"))?
            .to_string();
        let run = instance
            .get_export_index(&mut store, None, &run_interface)
            .and_then(|iface| instance.get_export_index(&mut store, Some(&iface), "run"))
            .ok_or_else(|| Error::msg("`wasi:cli/run` has no `run` function"))?;
        let run = instance.get_typed_func::<(), (Result<(), ()>,)>(&mut store, &run)?;
        match run.call(&mut store, ()) {
            Ok((Ok(()),)) => Ok(()),
            Ok((Err(()),)) => Err(Error::new(I32Exit(1))),
            Err(e) if e.downcast_ref::<I32Exit>().is_some_and(|exit| exit.0 == 0) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
