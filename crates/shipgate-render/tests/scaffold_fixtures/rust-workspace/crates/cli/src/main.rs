fn main() { println!("{}", tools_core::answer()); }
