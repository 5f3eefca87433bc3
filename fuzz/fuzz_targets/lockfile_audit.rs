//! Any bytes as a Cargo.lock: the two readers agree, and parsing, inventory,
//! audit and every renderer never panic.
#![no_main]

use cargo_wasmtime_support::{Data, LockInput, Options, audit, inventory, lockfile, render};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|bytes: &[u8]| {
    static DATA: OnceLock<Data> = OnceLock::new();
    let data = DATA.get_or_init(|| Data::embedded().unwrap());
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Some(fast) = lockfile::parse_canonical(text, "f") {
        assert_eq!(
            fast,
            lockfile::parse_full(text, "f"),
            "the readers disagree"
        );
    }
    let Ok(lock) = lockfile::parse(text, "f") else {
        return;
    };
    let input = LockInput {
        lockfile: lock,
        members: Default::default(),
    };
    let inv = inventory(std::slice::from_ref(&input), &data.family);
    let report = audit(
        &inv,
        data,
        &Options::new("2026-11-21".parse().unwrap()),
    );
    render::json::render(&report);
    render::markdown::render(&report);
    render::github::render(&report);
    render::sarif::render(&report);
    render::human::render(&report, &Default::default());
});
