/** The house rules on imports, checked by `npm test` (src/architecture.test.ts). */
module.exports = {
  forbidden: [
    {
      name: 'through-the-door',
      comment: "A folder is entered only through its index.ts; the root's map alone may use a manifest.ts.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'root-through-the-door',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$', pathNot: '^src/capabilities\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    // scripts/architecture/check.ts ignores this rule's findings and computes cycles itself: file
    // cycles without `import type` edges (erased, so harmless at run time; the swc parser does not
    // mark them, so this CLI rule still counts them), folder cycles with them. See imports.ts there.
    { name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '\\.test\\.ts$', '\\.test-support\\.ts$'] },
    parser: 'swc',
    tsPreCompilationDeps: false,
  },
};
