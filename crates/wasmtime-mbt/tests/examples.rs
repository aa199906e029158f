//! Runs every example in `examples/` as a test, so `cargo test` checks they
//! still work: each example asserts its own results and returns `Err` (or
//! panics) when behaviour breaks.

macro_rules! examples {
    ($($name:ident = $path:literal),* $(,)?) => {$(
        #[path = $path]
        mod $name;

        #[test]
        fn $name() {
            if let Err(err) = $name::main() {
                panic!("example `{}` failed: {err}", stringify!($name));
            }
        }
    )*};
}

examples! {
    hello = "../examples/hello.rs",
    gcd = "../examples/gcd.rs",
    memory = "../examples/memory.rs",
    multi = "../examples/multi.rs",
    linking = "../examples/linking.rs",
    fuel = "../examples/fuel.rs",
    interrupt = "../examples/interrupt.rs",
    serialize = "../examples/serialize.rs",
    externref = "../examples/externref.rs",
    threads = "../examples/threads.rs",
    wasi = "../examples/wasi.rs",
    component = "../examples/component.rs",
    wasip2 = "../examples/wasip2.rs",
}
