pub mod admin;
pub mod audit;
pub mod console;
pub mod imports;
pub mod items;
pub mod objects;
pub mod officers;
pub mod public;
