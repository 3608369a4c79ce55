pub mod supply;
