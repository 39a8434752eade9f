//! Authentication at the edge: portal clients (HMAC, URL token), caseworkers (bearer JWT) and
//! the passwords of local accounts.

pub mod admin;
pub mod jwks;
pub mod jwt;
pub mod password;
pub mod portal;

pub use admin::Admin;
pub use jwks::{JwksError, RemoteJwks};
pub use jwt::{Caseworker, Claims, JwtConfig, JwtKeys, mint_token};
pub use portal::{PortalClientId, SignedRequest, SignedSubmission, sign};
