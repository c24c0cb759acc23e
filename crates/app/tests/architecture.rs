//! The crate boundaries of docs/ARCHITECTURE.md, checked from the manifests: which crate may depend on
//! which. A dependency that breaks a boundary fails here before it can be used.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every workspace crate's normal dependencies (not dev-dependencies), by package name.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.push(root.join("hw-test"));
    let mut out = BTreeMap::new();
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let manifest: toml::Table = toml::from_str(&text).unwrap();
        let name = manifest["package"]["name"].as_str().unwrap().to_string();
        let deps = manifest
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        out.insert(name, deps);
    }
    out
}

fn depends(deps: &BTreeMap<String, Vec<String>>, krate: &str, on: &str) -> bool {
    deps.get(krate)
        .unwrap_or_else(|| panic!("no crate {krate}"))
        .iter()
        .any(|d| d == on)
}

#[test]
fn only_kiosk_pcsc_links_pcsc() {
    let deps = dependencies();
    let linking: Vec<&String> = deps
        .iter()
        .filter(|(_, d)| d.iter().any(|d| d == "pcsc"))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(linking, ["kiosk-pcsc"]);
}

#[test]
fn the_screens_cannot_reach_the_flow_or_the_workers() {
    let deps = dependencies();
    for forbidden in [
        "kiosk-reception",
        "kiosk-records",
        "kiosk-pcsc",
        "kiosk-face",
        "tokio",
    ] {
        assert!(
            !depends(&deps, "kiosk-ui", forbidden),
            "kiosk-ui depends on {forbidden}"
        );
    }
    assert!(depends(&deps, "kiosk-ui", "kiosk-screens"));
}

#[test]
fn the_pure_crates_do_no_io() {
    let deps = dependencies();
    let io = [
        "pcsc",
        "rusqlite",
        "nokhwa",
        "egui",
        "eframe",
        "tokio",
        "kiosk-pcsc",
        "kiosk-camera",
    ];
    for krate in ["kiosk-apdu", "kiosk-mynumber", "kiosk-screens", "kiosk-reception"] {
        for d in io {
            assert!(!depends(&deps, krate, d), "{krate} depends on {d}");
        }
    }
    // The flow keeps its own guidance enums rather than pull in the image and network code.
    for d in ["kiosk-face", "kiosk-cardfront", "kiosk-camera"] {
        assert!(
            !depends(&deps, "kiosk-reception", d),
            "kiosk-reception depends on {d}"
        );
    }
}

#[test]
fn the_virtual_card_does_not_share_the_readers_assumptions() {
    let deps = dependencies();
    assert!(!depends(&deps, "kiosk-card-sim", "kiosk-mynumber"));
}

#[test]
fn the_staff_console_holds_no_patient_data_type() {
    let deps = dependencies();
    for forbidden in [
        "kiosk-mynumber",
        "kiosk-reception",
        "kiosk-records",
        "kiosk-face",
        "kiosk-pcsc",
        "kiosk-card-sim",
    ] {
        assert!(
            !depends(&deps, "kiosk-console", forbidden),
            "kiosk-console must not depend on {forbidden}"
        );
    }
}
