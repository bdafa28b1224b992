//! HS256 access tokens and opaque refresh tokens behind the `TokenIssuer` port.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chatchit_domain::auth::{AccessClaims, RefreshSecret};
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::ports::{SecurityError, TokenIssuer};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The JWT body.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: uuid::Uuid,
    sid: uuid::Uuid,
    role: String,
    exp: i64,
}

/// Signs and checks access tokens with one shared secret.
pub struct JwtIssuer {
    /// Signing key.
    encoding: EncodingKey,
    /// Checking key.
    decoding: DecodingKey,
    /// HS256 only, expiry checked with no leeway.
    validation: Validation,
}

impl JwtIssuer {
    /// An issuer for `secret` (at least 32 bytes recommended).
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }
}

impl TokenIssuer for JwtIssuer {
    fn issue_access(&self, claims: &AccessClaims) -> Result<String, SecurityError> {
        let body = Claims {
            sub: claims.user_id.0,
            sid: claims.session_id.0,
            role: claims.role.as_str().to_owned(),
            exp: claims.expires_at.millis() / 1000,
        };
        encode(&Header::new(Algorithm::HS256), &body, &self.encoding)
            .map_err(|e| SecurityError::Internal(e.to_string()))
    }

    fn verify_access(&self, token: &str) -> Result<AccessClaims, SecurityError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| SecurityError::InvalidToken)?;
        let c = data.claims;
        Ok(AccessClaims {
            user_id: UserId(c.sub),
            session_id: SessionId(c.sid),
            role: Role::from_name(&c.role),
            expires_at: Timestamp::from_millis(c.exp.saturating_mul(1000)),
        })
    }

    fn new_refresh(&self) -> RefreshSecret {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let hash = self.hash_refresh(&token);
        RefreshSecret { token, hash }
    }

    fn hash_refresh(&self, token: &str) -> String {
        Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use proptest::prelude::*;

    proptest! {
        /// No string, JWT-shaped or not, is taken for a token or panics.
        #[test]
        fn arbitrary_tokens_are_refused(
            token in prop_oneof![
                any::<String>(),
                "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,43}",
            ]
        ) {
            let issuer = JwtIssuer::new(b"fuzzing-secret-fuzzing-secret");
            prop_assert!(issuer.verify_access(&token).is_err());
        }
    }

    fn claims(expires_at: Timestamp) -> AccessClaims {
        AccessClaims {
            user_id: UserId::generate(),
            session_id: SessionId::generate(),
            role: Role::Admin,
            expires_at,
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_datetime(chrono::Utc::now())
    }

    #[test]
    fn round_trips_and_rejects_forgeries_and_expired_tokens() {
        let issuer = JwtIssuer::new(b"a secret of at least thirty-two bytes");
        let c = claims(now().plus(TimeDelta::minutes(15)));
        let token = issuer.issue_access(&c).expect("sign");
        let back = issuer.verify_access(&token).expect("verify");
        assert_eq!(
            (back.user_id, back.session_id, back.role),
            (c.user_id, c.session_id, c.role)
        );
        let other = JwtIssuer::new(b"another secret of thirty-two bytes!!");
        assert_eq!(
            other.verify_access(&token),
            Err(SecurityError::InvalidToken)
        );
        let expired = issuer
            .issue_access(&claims(now().plus(TimeDelta::minutes(-1))))
            .expect("sign");
        assert_eq!(
            issuer.verify_access(&expired),
            Err(SecurityError::InvalidToken)
        );
        assert_eq!(
            issuer.verify_access("garbage"),
            Err(SecurityError::InvalidToken)
        );
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let issuer = JwtIssuer::new(b"k");
        let (a, b) = (issuer.new_refresh(), issuer.new_refresh());
        assert_ne!(a.token, b.token);
        assert_eq!(issuer.hash_refresh(&a.token), a.hash);
        assert_eq!(a.hash.len(), 64);
    }
}
