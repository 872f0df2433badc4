//! Compiler cost per description (issue: ≤ 5 ms for parse + validate + codegen).
//! 100 distinct valid descriptions, through the TOML front-end and through the attribute
//! front-end, each expanded to tokens as the proc-macro does.

#[path = "../tests/common/convert.rs"]
mod convert;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wsbind_compiler::codegen::{expand, Expansion};
use wsbind_compiler::{check_attr, check_toml, Target};

/// 100 distinct descriptions: every combination of version, entropy, key size, intervals,
/// role and bootstrap shape.
fn descriptions() -> Vec<String> {
    let mut out = Vec::new();
    let versions = ["feb-2005", "1.3"];
    let entropy = ["client-only", "server-only", "combined"];
    let sizes = [192, 256];
    let roles = ["client", "both"];
    let mut i = 0u32;
    'all: for v in versions {
        for e in entropy {
            for k in sizes {
                for r in roles {
                    for renew in 1..=5 {
                        out.push(format!(
                            r#"[channel]
binding = "http"
role = "{r}"
[security]
algorithm-suite-name = "basic192"
max-allowed-clock-skew = "{skew}m"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
key-size = {k}
key-entropy-mode = "{e}"
secure-conversation-version = "{v}"
renewal-interval = "{renew}h"
rollover-interval = "{roll}m"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
                            skew = 1 + i % 10,
                            roll = 1 + i % 30,
                        ));
                        i += 1;
                        if out.len() == 100 {
                            break 'all;
                        }
                    }
                }
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let descs = descriptions();
    assert_eq!(descs.len(), 100);
    let name = proc_macro2::Ident::new("Service", proc_macro2::Span::call_site());
    let attrs: Vec<String> = descs.iter().map(|d| convert::to_attr(d)).collect();

    let tracked = ["/x/binding.toml".to_owned()];
    let mut g = c.benchmark_group("compile-100-descriptions");
    g.throughput(Throughput::Elements(100));
    g.bench_function("toml: parse+validate+codegen", |b| {
        b.iter(|| {
            for d in &descs {
                let checked = check_toml(black_box(d), Target::Runtime);
                let desc = checked.description().expect("valid");
                black_box(expand(&Expansion {
                    name: &name,
                    description: &desc,
                    tracked_files: &tracked,
                    warnings: Vec::new(),
                }));
            }
        })
    });
    g.bench_function("attr: tokenize+parse+validate+codegen", |b| {
        b.iter(|| {
            for a in &attrs {
                let tokens: proc_macro2::TokenStream = black_box(a).parse().expect("tokens");
                let checked = check_attr(tokens, Target::Runtime);
                let desc = checked.description().expect("valid");
                black_box(expand(&Expansion {
                    name: &name,
                    description: &desc,
                    tracked_files: &[],
                    warnings: Vec::new(),
                }));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
