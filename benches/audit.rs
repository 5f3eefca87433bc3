//! In-process costs: `cargo bench`. The whole-process figures are measured
//! through cargo by `benches/through_cargo.rs` (see docs/performance.md).
//! The growth benchmarks double their input: time should double, not quadruple.

use cargo_wasmtime_support::{
    Data, LockInput, Options, audit, inventory, lockfile, render, workspace,
};
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
    let input = LockInput {
        lockfile: lock,
        members: Default::default(),
    };
    let inv = inventory(std::slice::from_ref(&input), &data.family);
    let report = audit(&inv, data, &Options::new(date()));
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

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// `n` versions of one crate whose entries name each other as
/// `"name version (source)"` (the form cargo writes when versions clash),
/// next to a Wasmtime crate so the dependency graph is built.
fn many_versions(n: usize) -> String {
    let version = |i: usize| format!("1.{}.{}", i / 1000, i % 1000);
    let mut out = String::from("version = 4\n\n");
    out.push_str(&format!(
        "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"many {}\",\n \"wasmtime\",\n]\n\n",
        version(0)
    ));
    out.push_str(&format!(
        "[[package]]\nname = \"wasmtime\"\nversion = \"36.0.3\"\nsource = \"{CRATES_IO}\"\n\n"
    ));
    for i in 0..n {
        out.push_str(&format!(
            "[[package]]\nname = \"many\"\nversion = \"{}\"\nsource = \"{CRATES_IO}\"\ndependencies = [\n \"many {} ({CRATES_IO})\",\n \"many {} ({CRATES_IO})\",\n]\n\n",
            version(i),
            version((i + 1) % n),
            version((i * 7 + 3) % n),
        ));
    }
    out
}

/// `n` pulley-interpreter 0.1.x entries, each placed in train 24 or 25 from
/// the crates that depend on it.
fn many_pulleys(n: usize) -> String {
    let mut out = String::from("version = 4\n\n");
    out.push_str("[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"cranelift-codegen\",\n]\n\n");
    out.push_str(&format!(
        "[[package]]\nname = \"cranelift-codegen\"\nversion = \"0.112.2\"\nsource = \"{CRATES_IO}\"\ndependencies = [\n \"pulley-interpreter 0.1.0\",\n]\n\n"
    ));
    for i in 0..n {
        out.push_str(&format!(
            "[[package]]\nname = \"pulley-interpreter\"\nversion = \"0.1.{i}\"\nsource = \"{CRATES_IO}\"\n\n"
        ));
    }
    out
}

#[divan::bench(args = [6_250, 12_500, 25_000])]
fn many_versions_of_one_crate(b: Bencher, n: usize) {
    let data = Data::embedded().unwrap();
    let text = many_versions(n);
    b.bench(|| whole_audit(black_box(&text), &data));
}

#[divan::bench(args = [7_500, 15_000, 30_000])]
fn many_pulley_entries(b: Bencher, n: usize) {
    let data = Data::embedded().unwrap();
    let text = many_pulleys(n);
    b.bench(|| whole_audit(black_box(&text), &data));
}

const WASMTIME_WORKSPACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/workspaces/wasmtime-e6b33de513"
);

/// Wasmtime's 98 members read from their manifests (the fast path of a run
/// through cargo; it needs no source files, so the fixture is read in place).
#[divan::bench]
fn wasmtime_workspace_from_manifests(b: Bencher) {
    let dir = std::path::Path::new(WASMTIME_WORKSPACE);
    b.bench(|| workspace::manifests::read(black_box(dir), None, None).unwrap());
}
