//! The TypeScript client (`clients/js`) against a real server: its
//! generated types are those of the committed documents, the AsyncAPI
//! document passes the AsyncAPI parser, the client type-checks under
//! `tsc --strict`, and its own tests chat through this server.

use chatchit_tests::TestServer;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's folder, its dependencies installed (`npm ci`) on first
/// use; `None` (skip) without Node.js outside CI.
fn package() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../clients/js");
    if Command::new("node").arg("--version").output().is_err() {
        return chatchit_testkit::unavailable("the TypeScript client needs Node.js");
    }
    chatchit_tests::npm_installed(&dir);
    Some(dir)
}

fn npm(dir: &Path, args: &[&str], server: Option<&str>) {
    let mut command = Command::new("npm");
    command.args(args).current_dir(dir);
    if let Some(url) = server {
        command.env("CHATCHIT_URL", url);
    }
    let status = command.status().expect("npm runs");
    assert!(
        status.success(),
        "npm {} in {}",
        args.join(" "),
        dir.display()
    );
}

#[tokio::test]
async fn the_typescript_client_is_current_type_checks_and_chats() {
    let Some(dir) = package() else { return };
    npm(&dir, &["run", "check-generated"], None);
    npm(&dir, &["run", "validate-asyncapi"], None);
    let s = TestServer::start().await;
    let base = s.base.clone();
    tokio::task::spawn_blocking(move || npm(&dir, &["test"], Some(&base)))
        .await
        .expect("npm test ran");
}
