//! In-process costs: `cargo bench`. The whole-process figures are measured
//! with hyperfine (see the README's Performance section).

use cargo_wasmtime_support::{audit, data::Data, inventory, lockfile, render};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

const SPIN: &str = include_str!("../fixtures/spin/Cargo.lock");

fn date() -> chrono::NaiveDate {
    "2026-11-21".parse().unwrap()
}

/// Parse, inventory, policy, audit and JSON report: the work of one run.
fn whole_audit(text: &str, data: &Data) -> String {
    let lock = lockfile::parse(text, "Cargo.lock").unwrap();
    let input = inventory::LockInput {
        lockfile: lock,
        members: Default::default(),
    };
    let inv = inventory::inventory(std::slice::from_ref(&input), &data.family);
    let report = audit::audit(&inv, data, &audit::Options::new(date()));
    render::json::render(&report)
}

#[divan::bench]
fn spin_parse_canonical(b: Bencher) {
    b.bench(|| lockfile::parse(black_box(SPIN), "Cargo.lock").unwrap());
}

#[divan::bench]
fn spin_parse_full_toml(b: Bencher) {
    b.bench(|| lockfile::parse_full(black_box(SPIN), "Cargo.lock").unwrap());
}

#[divan::bench]
fn embedded_data(b: Bencher) {
    b.bench(|| Data::embedded().unwrap());
}

#[divan::bench]
fn spin_audit_in_process(b: Bencher) {
    let data = Data::embedded().unwrap();
    b.bench(|| whole_audit(black_box(SPIN), &data));
}

/// A canonical lockfile of `n` packages: a Wasmtime 47 family and a long
/// tail of ordinary crates depending on each other, like a large workspace.
fn synthetic(n: usize) -> String {
    let family: Vec<(String, String)> = SPIN
        .split("\n\n")
        .filter(|b| b.starts_with("[[package]]"))
        .filter(|b| b.contains("name = \"wasmtime") || b.contains("name = \"cranelift"))
        .map(|b| (b.to_string(), String::new()))
        .collect();
    let mut out = String::from("version = 4\n\n");
    for (block, _) in &family {
        out.push_str(block);
        out.push_str("\n\n");
    }
    for i in 0..n.saturating_sub(family.len()) {
        out.push_str(&format!(
            "[[package]]\nname = \"crate-{i}\"\nversion = \"1.{}.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{:064x}\"\ndependencies = [\n \"crate-{}\",\n \"crate-{}\",\n]\n\n",
            i % 7,
            i,
            (i + 1) % n,
            (i * 7 + 3) % n
        ));
    }
    out.push_str("[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"crate-0\",\n \"wasmtime\",\n]\n");
    out
}

#[divan::bench(args = [2_500, 5_000, 10_000, 20_000])]
fn synthetic_audit(b: Bencher, n: usize) {
    let data = Data::embedded().unwrap();
    let text = synthetic(n);
    b.bench(|| whole_audit(black_box(&text), &data));
}
