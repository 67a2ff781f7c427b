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
    {
      name: 'no-cycle',
      comment: 'Type-only imports vanish at run time; a cycle of them is no cycle of modules.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '\\.test\\.ts$', '\\.test-support\\.ts$'] },
    parser: 'swc',
    tsPreCompilationDeps: false,
  },
};
