//! The `IdentityVerifier` port over a host's JWTs: HS256 with a shared secret,
//! or RS256 / ES256 with the public keys of a JWKS document (picked by the
//! token's `kid`).

use chatchit_domain::auth::ExternalClaims;
use chatchit_domain::ports::{IdentityVerifier, SecurityError};
use chatchit_domain::time::Timestamp;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use std::collections::HashMap;

/// Why a verifier could not be set up from its settings.
#[derive(Debug, thiserror::Error)]
pub enum ExternalKeyError {
    /// The JWKS document is not JSON of the expected shape.
    #[error("the JWKS document is unreadable: {0}")]
    Jwks(String),
    /// A key of the document cannot check RS256 or ES256 signatures.
    #[error("JWKS key {kid:?}: {reason}")]
    Key {
        /// The key's `kid`.
        kid: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The secret is too short to be a secret.
    #[error("the HS256 secret must be at least 32 bytes long")]
    ShortSecret,
}

/// Where the keys that check a host's signatures come from.
pub enum ExternalKeys {
    /// HS256 with a secret the host shares (at least 32 bytes).
    Secret(Vec<u8>),
    /// RS256 and ES256 keys of a JWKS document (`{"keys": [...]}`), each
    /// with a `kid` the tokens name.
    Jwks(String),
}

/// What a host's token must carry besides a good signature.
pub struct ExternalTokenSettings {
    /// The keys.
    pub keys: ExternalKeys,
    /// The only `iss` accepted.
    pub issuer: String,
    /// The `aud` required, when set.
    pub audience: Option<String>,
}

/// Checks a host's tokens: signature, `exp` (no leeway), `iss`, `aud` when
/// configured, and that `sub` and `iat` are present.
///
/// ```
/// use chatchit_crypto::{ExternalJwt, ExternalKeys, ExternalTokenSettings};
/// use chatchit_domain::ports::IdentityVerifier;
///
/// let verifier = ExternalJwt::new(ExternalTokenSettings {
///     keys: ExternalKeys::Secret(b"the host's secret, 32 bytes or more".to_vec()),
///     issuer: "https://id.example".into(),
///     audience: None,
/// })?;
/// assert!(verifier.verify("not.a.token").is_err());
/// # Ok::<(), chatchit_crypto::ExternalKeyError>(())
/// ```
pub struct ExternalJwt {
    /// Keys by `kid` (`None` for the one HS256 secret) with their algorithm.
    keys: HashMap<Option<String>, (DecodingKey, Algorithm)>,
    /// What every token must satisfy.
    issuer: String,
    /// See [`ExternalTokenSettings::audience`].
    audience: Option<String>,
}

/// The claims read from a host's token.
#[derive(Debug, Deserialize)]
struct HostClaims {
    iss: String,
    sub: String,
    iat: i64,
    exp: i64,
    name: Option<String>,
    preferred_username: Option<String>,
}

impl ExternalJwt {
    /// A verifier for `settings`.
    ///
    /// # Errors
    /// When the secret is short or the JWKS document or one of its keys is
    /// unusable.
    pub fn new(settings: ExternalTokenSettings) -> Result<Self, ExternalKeyError> {
        let mut keys = HashMap::new();
        match settings.keys {
            ExternalKeys::Secret(secret) => {
                if secret.len() < 32 {
                    return Err(ExternalKeyError::ShortSecret);
                }
                keys.insert(None, (DecodingKey::from_secret(&secret), Algorithm::HS256));
            }
            ExternalKeys::Jwks(document) => {
                let set: JwkSet = serde_json::from_str(&document)
                    .map_err(|e| ExternalKeyError::Jwks(e.to_string()))?;
                for jwk in &set.keys {
                    let kid = jwk.common.key_id.clone().unwrap_or_default();
                    let refuse = |reason: &str| ExternalKeyError::Key {
                        kid: kid.clone(),
                        reason: reason.to_owned(),
                    };
                    let algorithm = match &jwk.algorithm {
                        jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                        jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(ec)
                            if ec.curve == jsonwebtoken::jwk::EllipticCurve::P256 =>
                        {
                            Algorithm::ES256
                        }
                        _ => return Err(refuse("only RSA and P-256 keys are taken")),
                    };
                    if kid.is_empty() {
                        return Err(refuse("a key needs a kid"));
                    }
                    let key = DecodingKey::from_jwk(jwk).map_err(|e| refuse(&e.to_string()))?;
                    keys.insert(Some(kid), (key, algorithm));
                }
            }
        }
        Ok(Self {
            keys,
            issuer: settings.issuer,
            audience: settings.audience,
        })
    }
}

impl IdentityVerifier for ExternalJwt {
    fn verify(&self, token: &str) -> Result<ExternalClaims, SecurityError> {
        let header = decode_header(token).map_err(|_| SecurityError::InvalidToken)?;
        let (key, algorithm) = self
            .keys
            .get(&header.kid)
            .or_else(|| self.keys.get(&None))
            .ok_or(SecurityError::InvalidToken)?;
        if header.alg != *algorithm {
            return Err(SecurityError::InvalidToken);
        }
        let mut validation = Validation::new(*algorithm);
        validation.leeway = 0;
        validation.set_issuer(&[&self.issuer]);
        match &self.audience {
            Some(audience) => {
                validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
                validation.set_audience(&[audience]);
            }
            None => {
                validation.set_required_spec_claims(&["exp", "sub", "iss"]);
                validation.validate_aud = false;
            }
        }
        let claims = decode::<HostClaims>(token, key, &validation)
            .map_err(|_| SecurityError::InvalidToken)?
            .claims;
        if claims.sub.is_empty() || claims.sub.len() > 255 {
            return Err(SecurityError::InvalidToken);
        }
        Ok(ExternalClaims {
            issuer: claims.iss,
            subject: claims.sub,
            issued_at: Timestamp::from_millis(claims.iat.saturating_mul(1000)),
            expires_at: Timestamp::from_millis(claims.exp.saturating_mul(1000)),
            display_name: claims.name.or(claims.preferred_username),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const ISSUER: &str = "https://id.example";

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn body(exp_in: i64) -> serde_json::Value {
        json!({"iss": ISSUER, "sub": "user-42", "iat": now(), "exp": now() + exp_in, "name": "Ada"})
    }

    fn jwks() -> ExternalJwt {
        ExternalJwt::new(ExternalTokenSettings {
            keys: ExternalKeys::Jwks(include_str!("../tests/keys/jwks.json").to_owned()),
            issuer: ISSUER.into(),
            audience: Some("chat".into()),
        })
        .expect("keys")
    }

    fn signed(alg: Algorithm, kid: &str, key: &EncodingKey, body: &serde_json::Value) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(kid.into());
        encode(&header, body, key).expect("sign")
    }

    #[test]
    fn rs256_and_es256_tokens_of_the_jwks_are_taken() {
        let verifier = jwks();
        let mut claims = body(60);
        claims["aud"] = json!("chat");
        let es = EncodingKey::from_ec_der(include_bytes!("../tests/keys/es256.der"));
        let rs = EncodingKey::from_rsa_der(include_bytes!("../tests/keys/rs256.der"));
        for token in [
            signed(Algorithm::ES256, "ec-1", &es, &claims),
            signed(Algorithm::RS256, "rsa-1", &rs, &claims),
        ] {
            let got = verifier.verify(&token).expect("valid");
            assert_eq!(got.subject, "user-42");
            assert_eq!(got.issuer, ISSUER);
            assert_eq!(got.display_name.as_deref(), Some("Ada"));
        }
        // A key named for the other algorithm, a missing audience, an
        // unknown kid: each refused.
        let wrong_kid = signed(Algorithm::ES256, "rsa-1", &es, &claims);
        let no_aud = signed(Algorithm::ES256, "ec-1", &es, &body(60));
        let unknown = signed(Algorithm::ES256, "ec-2", &es, &claims);
        for token in [wrong_kid, no_aud, unknown] {
            assert_eq!(verifier.verify(&token), Err(SecurityError::InvalidToken));
        }
    }

    #[test]
    fn hs256_checks_secret_issuer_and_expiry() {
        let secret = b"a host secret of at least 32 bytes!".to_vec();
        let verifier = ExternalJwt::new(ExternalTokenSettings {
            keys: ExternalKeys::Secret(secret.clone()),
            issuer: ISSUER.into(),
            audience: None,
        })
        .expect("secret");
        let key = EncodingKey::from_secret(&secret);
        let sign =
            |b: &serde_json::Value| encode(&Header::new(Algorithm::HS256), b, &key).expect("sign");
        assert_eq!(
            verifier.verify(&sign(&body(60))).expect("valid").subject,
            "user-42"
        );
        let mut other_issuer = body(60);
        other_issuer["iss"] = json!("https://evil.example");
        let other_secret = encode(
            &Header::new(Algorithm::HS256),
            &body(60),
            &EncodingKey::from_secret(b"another secret of at least 32 bytes"),
        )
        .expect("sign");
        for token in [
            sign(&body(-10)),
            sign(&other_issuer),
            other_secret,
            "junk".into(),
        ] {
            assert_eq!(verifier.verify(&token), Err(SecurityError::InvalidToken));
        }
        assert!(matches!(
            ExternalJwt::new(ExternalTokenSettings {
                keys: ExternalKeys::Secret(b"short".to_vec()),
                issuer: ISSUER.into(),
                audience: None,
            }),
            Err(ExternalKeyError::ShortSecret)
        ));
    }

    #[test]
    fn an_unreadable_jwks_is_an_error_at_start() {
        let bad = ExternalJwt::new(ExternalTokenSettings {
            keys: ExternalKeys::Jwks("{\"keys\": 5}".into()),
            issuer: ISSUER.into(),
            audience: None,
        });
        assert!(matches!(bad, Err(ExternalKeyError::Jwks(_))));
    }
}
