//! Human output, pinned as data-driven case files: `tests/cmd/*.md` (trycmd). Each file runs
//! its `$ tokenbudget …` lines in the fixture folder its `.in` link names, with stderr merged
//! into stdout and the exit status on the `? N` line. A change to human output updates the
//! case file in the same commit: `TRYCMD=overwrite cargo test --test it case_files`, then
//! review the diff.

#[test]
fn human_output_case_files() {
    trycmd::TestCases::new()
        .register_bin(
            "tokenbudget",
            std::path::Path::new(env!("CARGO_BIN_EXE_tokenbudget")),
        )
        .env("COLUMNS", "200")
        .case("tests/cmd/*.md");
}
