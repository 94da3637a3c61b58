import { cdk8s, javascript } from 'projen';

/**
 * The version `npm pack` writes into the tarball (docs/publishing.md "Cut a release"): set here,
 * not by a release workflow (there is no GitHub here), bumped by hand from the conventional
 * commits since the last `v*` tag, with CHANGELOG.md's "Unreleased" section renamed to it. 0.x:
 * a minor release may break the API, and every break has a "Migrating" entry.
 */
const VERSION = '0.1.0';

// Pins and traps: ../shared/notes/toolchain.md.
const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-stateful',
  packageName: 'cdk8s-stateful',
  description:
    'Typed cdk8s constructs for stateful systems on Kubernetes (Postgres, Kafka, local volumes, your own) that synthesize plain, deterministic, production-shaped YAML. No operator.',
  keywords: ['cdk8s', 'kubernetes', 'statefulset', 'postgres', 'patroni', 'kafka', 'kraft', 'storage'],
  author: 'cdk8s-stateful maintainers',
  authorAddress: 'maintainers@users.noreply.h-seed-bf1ca506.example',
  repositoryUrl: 'https://github.com/cdk8s-stateful/cdk8s-stateful.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // cdk8s 2 + constructs 10 (the project type defaults to cdk8s v1 and constructs 3).
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  devDeps: [
    // Independent validators (notes/validators.md). kubernetes-models 5.x is ESM-only and needs
    // Node 22; 4.5.1 is CommonJS and runs under jest on Node 20.
    'kubernetes-models@4.5.1',
    '@kubernetes-models/validate@4.0.0',
    // Only its generated models (attribute maps from the OpenAPI spec) for the unknown-field check.
    '@kubernetes/client-node@0.22.3',
    'yaml@^2.3.0',
    'cdk8s-cli@^2.200.0',
    'tsconfig-paths@^4.2.0',
    // Property-based tests of every public construct (test/property/).
    'fast-check@^3.23.0',
    // Evaluates the CEL of the AdmissionPolicies' ValidatingAdmissionPolicies in tests (test/policy/).
    '@bufbuild/cel@^0.6.1',
    // Monitoring (issue 12): the upstream prometheus-operator schemas validate every emitted
    // PodMonitor/PrometheusRule (4.4.4 is the CommonJS line that matches kubernetes-models 4.5.1),
    // and Prometheus's own PromQL grammar parses every alert and dashboard expression.
    '@kubernetes-models/prometheus-operator@4.4.4',
    '@prometheus-io/lezer-promql@0.315.0',
    '@lezer/lr@^1.4.2',
    '@lezer/highlight@^1.2.1',
    // TLS (issue 12) and Kanister: cert-manager and Kanister objects are validated against the
    // openAPIV3Schema of their upstream CRDs (src/imports/crds) in test/util/validate.ts. The same
    // major as @kubernetes-models/validate's, so the lockfile keeps one copy.
    'ajv@^8.12.0',
  ],

  // Other languages (jsii): configured with their package names; they cannot be packaged on this
  // machine (no Python/Java/.NET/Go toolchains), so the build packages JavaScript only (below).
  publishToPypi: { distName: 'cdk8s-stateful', module: 'cdk8s_stateful' },
  publishToMaven: {
    javaPackage: 'io.github.cdk8s_stateful.cdk8s_stateful',
    mavenGroupId: 'io.github.cdk8s-stateful',
    mavenArtifactId: 'cdk8s-stateful',
  },
  publishToNuget: { dotNetNamespace: 'Cdk8sStateful', packageId: 'Cdk8sStateful' },
  publishToGo: { moduleName: 'github.com/cdk8s-stateful/cdk8s-stateful-go', packageName: 'cdk8sstateful' },

  // No GitHub here: CI is .ci/run. Other jsii targets cannot be packaged on this machine.
  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench'],
    ignorePatterns: ['examples/dist/**', 'bench/out/**', 'src/imports/**'],
  },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      moduleNameMapper: { '^cdk8s-stateful$': '<rootDir>/src/index.ts' },
      testPathIgnorePatterns: ['/node_modules/', '/examples/dist/'],
    },
  },
  gitignore: ['examples/dist/', 'bench/out/', '*.cpuprofile'],
  // The tarball holds lib/ (with lib/**/assets/*), .jsii, API.md, README, LICENSE, CHANGELOG
  // and package.json only (test/ecosystem/consumer.test.ts lists it).
  npmIgnoreOptions: {
    ignorePatterns: ['examples/', 'bench/', '.ci/', 'docs/', 'CONTRIBUTING.md', 'lib/**/*.tsbuildinfo', '*.cpuprofile', 'dist/', 'tsconfig.dev.json'],
  },
});

project.package.addVersion(VERSION);

// ESM and CommonJS consumers: the root and every deep path under lib/, with or without `.js`
// (`import { ValidationError } from 'cdk8s-stateful/lib/core/errors'` from an .mjs file).
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './lib/*.js': './lib/*.js',
  './lib/*': './lib/*.js',
  './.jsii': './.jsii',
  './package.json': './package.json',
});

// `package` packs JavaScript only, in and out of CI: the other jsii targets need toolchains this
// machine does not have (`npx projen package-all` packs them where they exist).
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

// examples/ and bench/ import the library by its package name through their own tsconfig paths.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('settings.import/resolver.typescript.project', [
  './tsconfig.json', './test/tsconfig.json', './examples/tsconfig.json', './bench/tsconfig.json',
]);

// Imports flow system → kit → workload → leaf modules: a cycle fails the lint (CONTRIBUTING.md).
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });

// Scripts are real files in src/**/assets/, read at synth time: ship them beside the compiled code.
project.compileTask.exec("cd src && find . -path '*/assets/*' -type f -exec cp --parents -t ../lib {} +");

// Debian packages the tests run for real (shellcheck, the runtime tier's servers): installed
// idempotently before jest, so `npm run build` on a clean clone needs nothing done by hand.
project.testTask.prependExec('bash test/setup/install-deps.sh');

// The main job: synthesize the example app with the real cdk8s CLI into examples/dist/.
project.addTask('example', {
  description: 'Synthesize the example app in examples/ to YAML under examples/dist/',
  cwd: 'examples',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  exec: 'cdk8s synth --no-check-upgrade',
});

project.addTask('bench', {
  description: 'Synthesis benchmark against the plain-object floor; writes bench/RESULTS.md',
  cwd: 'bench',
  exec: 'ts-node -P tsconfig.json -r tsconfig-paths/register -T bench.ts',
});

project.addTask('bench:clusters', {
  description: 'Clusters benchmark (Postgres, Kafka, LocalVolumePool, etcd) against the floor and helm template; see bench/README.md',
  cwd: 'bench',
  exec: 'ts-node -P tsconfig.json -r tsconfig-paths/register -T clusters.ts',
});

project.addTask('bench:cold', {
  description: 'Cold `cdk8s synth` of examples/ with each runner (ts-node, ts-node -T, tsx, swc, node); see bench/README.md',
  cwd: 'bench',
  exec: 'ts-node -P tsconfig.json -r tsconfig-paths/register -T cold.ts',
});

project.synth();
