//! The JWT secret: configured, or generated once and kept in the data directory.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use std::path::Path;

const SECRET_FILE: &str = "jwt-secret";

/// The configured secret, else the one stored under `data_dir`, else a new one
/// written there (readable by the owner only). Warns when not configured.
///
/// # Errors
/// When the secret file cannot be read or written.
pub fn jwt_secret(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.as_bytes().to_vec());
    }
    tracing::warn!(
        "no jwt_secret configured: using one generated under the data directory; production must set CHATCHIT_JWT_SECRET"
    );
    let path = data_dir.join(SECRET_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return STANDARD
            .decode(text.trim())
            .context("the stored JWT secret is not base64");
    }
    let mut secret = vec![0u8; 48];
    rand::rng().fill_bytes(&mut secret);
    write_private(&path, &STANDARD.encode(&secret))?;
    Ok(secret)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_kept_across_restarts() {
        let dir = tempfile::tempdir().expect("dir");
        let first = jwt_secret(None, dir.path()).expect("first");
        let second = jwt_secret(None, dir.path()).expect("second");
        assert_eq!(first, second);
        assert_eq!(
            jwt_secret(Some("configured"), dir.path()).expect("configured"),
            b"configured"
        );
    }
}
