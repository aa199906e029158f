//! What the criterion benches of this crate share (`mod common;` in each).

use std::time::Duration;

use criterion::Criterion;

/// The crate's criterion settings: short cases (0.5 s warm-up, 2 s
/// measurement, 20 samples) so a suite takes minutes on a 2-core machine,
/// and no plots (criterion is built without plotters).
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .without_plots()
}
