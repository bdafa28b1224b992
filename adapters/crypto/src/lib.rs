//! Security adapters: bcrypt password hashing and HS256 JWT access tokens,
//! plus random refresh tokens stored as SHA-256 hashes.

mod jwt;
mod password;

pub use jwt::JwtIssuer;
pub use password::BcryptHasher;
