//! The `gridlog` binary.

fn main() {
    println!("gridlog: not built yet");
}
