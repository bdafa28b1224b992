//! Security adapters: bcrypt password hashing, ChatChit's own HS256 access
//! tokens with random refresh tokens stored as SHA-256 hashes, and the
//! verifier of a host's own JWTs (HS256, or RS256 / ES256 from a JWKS).

mod external;
mod jwt;
mod password;

pub use external::{ExternalJwt, ExternalKeyError, ExternalKeys, ExternalTokenSettings};
pub use jwt::JwtIssuer;
pub use password::BcryptHasher;
