//! A poller thread that drives many async calls (work in progress).
