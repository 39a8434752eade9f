//! fallwerk's pure domain: the case lifecycle of the Fallmanagement process, its commands and
//! events, the legal deadline calculator and the ports through which adapters store and send.
//! Nothing here performs I/O or knows AWS, HTTP or SQL.

mod names;

pub mod app;
pub mod case;
pub mod deadline;
pub mod form;
pub mod inbox;
pub mod mail;
pub mod model;
pub mod ports;

pub use fallwerk_events as events;
