//! Authentication at the edge: portal clients (HMAC, URL token) and caseworkers (bearer JWT).

pub mod jwt;
pub mod portal;

pub use jwt::{Caseworker, Claims, JwtConfig, JwtKeys, mint_token};
pub use portal::{PortalClientId, SignedRequest, sign};
