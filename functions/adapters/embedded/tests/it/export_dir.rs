//! `DirectorySink` against real directories: complete packages with verified hashes, refused
//! paths and checksums (nothing written), idempotent redelivery, other target kinds refused.

use std::collections::BTreeMap;
use std::path::Path;

use fallwerk_core::ports::{ExportError, ExportPackage, ExportSink, PackageFile, sha256_hex};
use fallwerk_embedded::DirectorySink;
use fallwerk_events::ExportTarget;

fn file(path: &str, media_type: &str, bytes: &[u8]) -> PackageFile {
    PackageFile::new(path, media_type, bytes.to_vec())
}

fn package(name: &str) -> ExportPackage {
    let pdf: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    ExportPackage {
        name: name.to_string(),
        case_id: "case-1".into(),
        files: vec![
            file(
                "manifest.json",
                "application/json",
                br#"{"format":"fallwerk-export","version":1}"#,
            ),
            file(
                "case.xml",
                "application/xml",
                "<fall><antragsteller>Jörg Weiß</antragsteller></fall>".as_bytes(),
            ),
            file("attachments/1-antrag.pdf", "application/pdf", &pdf),
            file(
                "attachments/2-Bescheid_Müller.pdf",
                "application/pdf",
                b"%PDF-1.7",
            ),
        ],
    }
}

fn target(root: &Path) -> ExportTarget {
    ExportTarget::Directory {
        path: root.display().to_string(),
    }
}

/// Everything under `dir` (relative path → sha256), hidden entries included.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            let rel = p
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), String::new());
                stack.push(p);
            } else {
                out.insert(rel, sha256_hex(&std::fs::read(&p).expect("read")));
            }
        }
    }
    out
}

#[tokio::test]
async fn writes_every_file_with_its_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("export");
    let pkg = package("MV-2026-000123-1");
    let receipt = DirectorySink::new()
        .deliver(&target(&root), &pkg)
        .await
        .expect("deliver");
    let final_dir = root.join("MV-2026-000123-1");
    assert_eq!(receipt.location, final_dir.display().to_string());
    for f in &pkg.files {
        let bytes = std::fs::read(final_dir.join(&f.path)).expect("file written");
        assert_eq!(sha256_hex(&bytes), f.sha256, "{}", f.path);
        assert_eq!(bytes, f.bytes);
    }
    // Nothing else: no temp directory, no extra files.
    let files: Vec<_> = tree(&root)
        .into_keys()
        .filter(|k| !k.ends_with('/'))
        .collect();
    assert_eq!(files.len(), pkg.files.len(), "{files:?}");
    assert_eq!(
        std::fs::read_dir(&root).expect("read root").count(),
        1,
        "only the package directory"
    );
    // The receipt is the SHA-256 of the sorted sha256sum-style list.
    let mut lines: Vec<_> = pkg
        .files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    lines.sort();
    let list: String = lines.iter().map(|(p, s)| format!("{s}  {p}\n")).collect();
    assert_eq!(receipt.receipt, sha256_hex(list.as_bytes()));
}

#[tokio::test]
async fn redelivery_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("export");
    let pkg = package("MV-2026-000123-1");
    let first = DirectorySink::new()
        .deliver(&target(&root), &pkg)
        .await
        .expect("deliver");
    let before = tree(&root);
    let second = DirectorySink::new()
        .deliver(&target(&root), &pkg)
        .await
        .expect("redeliver");
    assert_eq!(first, second);
    assert_eq!(tree(&root), before, "nothing rewritten");
    // The same name with other content is refused and the delivered package left alone.
    let mut changed = pkg.clone();
    changed.files[1] = file("case.xml", "application/xml", b"<fall/>");
    let err = DirectorySink::new()
        .deliver(&target(&root), &changed)
        .await
        .expect_err("different content under a delivered name");
    assert!(matches!(err, ExportError::Permanent(_)), "{err}");
    assert_eq!(tree(&root), before);
}

#[tokio::test]
async fn concurrent_deliveries_of_one_package_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("export");
    let pkg = package("MV-2026-000123-2");
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (t, p) = (target(&root), pkg.clone());
        tasks.push(tokio::spawn(async move {
            DirectorySink::new().deliver(&t, &p).await
        }));
    }
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.expect("task").expect("deliver"));
    }
    assert!(receipts.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        std::fs::read_dir(&root).expect("read root").count(),
        1,
        "one package directory, no temp leftovers"
    );
}

#[tokio::test]
async fn refuses_escaping_paths_and_writes_nothing() {
    for bad in [
        "../x",
        "/etc/evil",
        "attachments/../../x",
        "a//b",
        "a\\b",
        "",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("export");
        let mut pkg = package("MV-2026-000123-1");
        pkg.files.push(file(bad, "text/plain", b"evil"));
        let err = DirectorySink::new()
            .deliver(&target(&root), &pkg)
            .await
            .expect_err("must be refused");
        assert!(matches!(err, ExportError::Permanent(_)), "{bad:?}: {err}");
        assert!(tree(dir.path()).is_empty(), "{bad:?}: nothing written");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for bad_name in ["../up", ".hidden", "a/b", ""] {
        let err = DirectorySink::new()
            .deliver(&target(dir.path()), &package(bad_name))
            .await
            .expect_err("bad package name");
        assert!(
            matches!(err, ExportError::Permanent(_)),
            "{bad_name:?}: {err}"
        );
    }
    assert!(tree(dir.path()).is_empty());
}

#[tokio::test]
async fn a_checksum_mismatch_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("export");
    let mut pkg = package("MV-2026-000123-1");
    pkg.files[2].bytes[17] ^= 0xff;
    let err = DirectorySink::new()
        .deliver(&target(&root), &pkg)
        .await
        .expect_err("corrupt file");
    assert!(
        matches!(&err, ExportError::Permanent(m) if m.contains("checksum mismatch") && m.contains("1-antrag.pdf")),
        "{err}"
    );
    assert!(tree(dir.path()).is_empty(), "nothing written");
}

#[tokio::test]
async fn duplicate_and_clashing_paths_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut dup = package("p1");
    dup.files
        .push(file("case.xml", "application/xml", b"again"));
    let mut clash = package("p2");
    clash
        .files
        .push(file("attachments", "text/plain", b"file and dir"));
    for pkg in [dup, clash] {
        let err = DirectorySink::new()
            .deliver(&target(dir.path()), &pkg)
            .await
            .expect_err("refused");
        assert!(matches!(err, ExportError::Permanent(_)), "{err}");
    }
    assert!(tree(dir.path()).is_empty());
}

#[tokio::test]
async fn other_target_kinds_are_unsupported() {
    let pkg = package("p");
    for t in [
        ExportTarget::S3 {
            bucket: "dms".into(),
            prefix: "in/".into(),
        },
        ExportTarget::Webhook {
            url: "https://fachverfahren.example/hook".into(),
            secret_ref: "hook-secret".into(),
        },
    ] {
        let err = DirectorySink::new()
            .deliver(&t, &pkg)
            .await
            .expect_err("unsupported");
        assert!(matches!(err, ExportError::Unsupported(_)), "{err}");
    }
}

#[tokio::test]
async fn a_confined_sink_refuses_targets_outside_its_root() {
    let root = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    let sink = DirectorySink::confined_to(root.path());
    let pkg = package("MV-2026-000001-1");
    for path in [
        outside.path().display().to_string(),
        "../escape".to_string(),
        format!("{}/../escape", root.path().display()),
    ] {
        let err = sink
            .deliver(&ExportTarget::Directory { path: path.clone() }, &pkg)
            .await
            .expect_err("outside the root");
        assert!(matches!(err, ExportError::Permanent(_)), "{path}: {err:?}");
    }
    assert_eq!(std::fs::read_dir(outside.path()).expect("dir").count(), 0);
    assert!(
        !root
            .path()
            .parent()
            .expect("parent")
            .join("escape")
            .exists()
    );
    // Relative paths land under the root.
    sink.deliver(
        &ExportTarget::Directory {
            path: "dms".to_string(),
        },
        &pkg,
    )
    .await
    .expect("inside");
    assert!(
        root.path()
            .join("dms")
            .join(&pkg.name)
            .join("manifest.json")
            .exists()
    );
}
