fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let c = wsbind_compiler::check_toml(&text, wsbind_compiler::Target::Runtime);
    let src = wsbind_compiler::diag::SourceFile::new(path, text);
    print!(
        "{}",
        wsbind_compiler::diag::render(&c.diagnostics, &src, wsbind_compiler::diag::Style::Plain)
    );
    println!("{:#?}", c.description());
}
