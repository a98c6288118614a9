//! Secrets of task configs at rest: sealed with XChaCha20-Poly1305 under a key kept in the data
//! dir (`secret.key`, made on first use, readable by its owner only), so an API key a task was
//! given is in no table, log or backup of the database in the clear.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// The key file inside the data dir.
pub const KEY_FILE: &str = "secret.key";
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// Why a secret could not be sealed, opened, or its key read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read or create the secrets key {path}: {source}")]
    Key {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the secrets key {path} is not {KEY_BYTES} bytes: restore it from a backup of the data dir"
    )]
    KeyLength { path: String },
    #[error(
        "a sealed secret cannot be opened: it was sealed under another key (was secret.key replaced?)"
    )]
    Open,
}

/// Seals and opens secrets under one key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    /// The box of `data_dir`: its key file read, or made (0600) when there is none.
    pub fn open_dir(data_dir: &Path) -> Result<SecretBox, SecretError> {
        let path = data_dir.join(KEY_FILE);
        let key_error = |source| SecretError::Key {
            path: path.display().to_string(),
            source,
        };
        let key = match std::fs::read(&path) {
            Ok(key) => key,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng).to_vec();
                write_private(&path, &key).map_err(key_error)?;
                key
            }
            Err(e) => return Err(key_error(e)),
        };
        if key.len() != KEY_BYTES {
            return Err(SecretError::KeyLength {
                path: path.display().to_string(),
            });
        }
        Ok(SecretBox {
            cipher: XChaCha20Poly1305::new_from_slice(&key).map_err(|_| {
                SecretError::KeyLength {
                    path: path.display().to_string(),
                }
            })?,
        })
    }

    /// A box with a key of its own that lives only in memory (tests, in-memory stores).
    pub fn ephemeral() -> SecretBox {
        SecretBox {
            cipher: XChaCha20Poly1305::new(&XChaCha20Poly1305::generate_key(&mut OsRng)),
        }
    }

    /// `plain` sealed, as base64 of nonce ‖ ciphertext.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption of a byte string under a valid key and fresh nonce does not fail.
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        STANDARD.encode(out)
    }

    /// What [`SecretBox::seal`] sealed.
    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SecretError::Open)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SecretError::Open);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretError::Open)?;
        String::from_utf8(plain).map_err(|_| SecretError::Open)
    }
}

/// Writes `bytes` to a new file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = SecretBox::open_dir(dir.path()).unwrap().seal("sk-live-abc");
        assert!(!sealed.contains("sk-live-abc"));
        let again = SecretBox::open_dir(dir.path()).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "sk-live-abc");
        assert!(matches!(
            SecretBox::ephemeral().open(&sealed),
            Err(SecretError::Open)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        SecretBox::open_dir(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
