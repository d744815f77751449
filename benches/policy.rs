//! Policy evaluation benchmark (being written).
fn main() {}
