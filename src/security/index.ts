// The OWASP API Security Top 10 (2023) suite: one test file per item, each
// named after it (`api1-…` to `api10-…`), listed with what it proves in the
// README. Tests only: this door exports nothing.
export {};
