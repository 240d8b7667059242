//! The package users install: `cargo install --path .` must put `drupal-sync` alone on their
//! PATH (the benchmark is the unpublished workspace member `bench/`).

use serde_json::Value;

/// `cargo metadata --no-deps` of this workspace.
fn metadata() -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

fn package<'a>(metadata: &'a Value, name: &str) -> &'a Value {
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name} in the workspace"))
}

#[test]
fn the_installed_package_has_one_binary_and_the_bench_is_unpublished() {
    let metadata = metadata();
    let binaries: Vec<&str> = package(&metadata, "drupal-sync")["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.contains(&"bin".into()))
        })
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(binaries, ["drupal-sync"]);
    // `publish = false` reads as an empty list of registries.
    let bench = package(&metadata, "drupal-sync-bench");
    assert_eq!(bench["publish"], serde_json::json!([]));
}
