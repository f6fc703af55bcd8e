pub mod admin;
pub mod audit;
pub mod console;
pub mod items;
pub mod public;
