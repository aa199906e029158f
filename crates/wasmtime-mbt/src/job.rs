//! Running modules on their own OS threads (work in progress).
