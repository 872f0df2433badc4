//! Compile-fail and compile-pass cases of the proc-macro: the `.stderr` files are exactly
//! what users see.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/toml/*.rs");
    t.compile_fail("tests/ui/attr/*.rs");
    t.compile_fail("tests/ui/other/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
