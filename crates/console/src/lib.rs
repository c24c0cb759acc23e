//! The staff console: a web page where reception staff see every kiosk's state, hear its calls and do
//! the visual check (目視確認) from their own screen, logged in with their own account.
//!
//! * [`server`]: the HTTP server (axum); [`page`]: its pages.
//! * [`accounts`]: argon2id accounts; [`lockout`]: per-account lockout kept across restarts;
//!   [`audit`]: the audit log; [`files`]: private files (0600, exclusive temporary files).
//! * [`protocol`]: what kiosks and the console say to each other; [`client`]: the kiosk's side.
//! * [`config`]: `console.toml` and kiosk tokens.

pub mod accounts;
pub mod audit;
pub mod client;
pub mod config;
pub mod files;
pub mod lockout;
pub mod page;
pub mod protocol;
pub mod server;
