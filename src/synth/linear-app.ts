import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph, Names, Yaml, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * A cdk8s `App` whose `synth()` and `synthYaml()` take time linear in the size of the app,
 * however many charts it has, and write byte-identical output to cdk8s's own `App`.
 *
 * cdk8s 2's `App` renders each chart with `Chart.toJson()`, and each of those calls resolves
 * the dependencies of the *whole app* and runs every validation of the whole app again, so an
 * app with N charts does N whole-app passes. In this library's benchmark, 1000 charts of one
 * workload each take five times longer than the same objects in one chart, and 3000 take two
 * minutes instead of six seconds. `LinearApp` resolves dependencies and validates once, then
 * renders every chart from that state, which is what the N repeated passes compute anyway:
 * they add no dependency that the first one did not add, and a validation that passed once
 * passes again.
 *
 * Use it instead of `App` when an app has many charts (say, more than a hundred). With a few
 * charts both are equally fast. The output (file names, file order, YAML) is the same as
 * `App`'s for every `YamlOutputType`; the one difference is that validations run at most twice
 * (like an app with one chart) instead of once per chart, so warnings printed by validations
 * appear once or twice, not N+1 times.
 *
 * Semantics it relies on, checked at synth time:
 * - charts whose class overrides `toJson()` are rendered by calling their `toJson()`, as
 *   `App` does (at `App`'s cost for those charts);
 * - rendering must not add constructs or dependencies (for example from inside a `Lazy`): `App`
 *   would re-resolve them for the following charts, `LinearApp` cannot, so it throws before
 *   writing anything and asks you to use `App`;
 * - validations (`node.addValidation`) must not depend on what rendering does, which the
 *   constructs programming model already requires.
 *
 * Pinned to the synthesis of cdk8s 2.70.0 (dependency resolution, chart order, file naming);
 * the library's tests compare it with `App` on every output type.
 */
export class LinearApp extends App {
  constructor(props: AppProps = {}) {
    super(props);
  }

  /**
   * Synthesizes all manifests to the output directory, exactly as `App.synth()` does, in time
   * linear in the number of constructs.
   */
  public synth(): void {
    const outputType = this.yamlOutputType;
    if (!SUPPORTED_OUTPUT_TYPES.includes(outputType)) {
      throw new Error(
        `LinearApp does not support yamlOutputType ${YamlOutputType[outputType] ?? outputType}; ` +
          `it supports ${SUPPORTED_OUTPUT_TYPES.map((t) => YamlOutputType[t]).join(', ')}. Use cdk8s's App for this output type`,
      );
    }
    fs.mkdirSync(this.outdir, { recursive: true });

    // App.synth(): validate, resolve dependencies, order the charts.
    validateApp(this.node.findAll());
    const hasDependantCharts = resolveDependencies(this);
    const charts = this.charts;

    const ext = this.outputFileExtension;
    switch (outputType) {
      case YamlOutputType.FILE_PER_APP: {
        const rendered = this.renderCharts(charts, true, (docs) => docs);
        if (charts.length > 0) Yaml.save(path.join(this.outdir, `app${ext}`), rendered.flat());
        break;
      }
      case YamlOutputType.FILE_PER_CHART: {
        // Kept as YAML text until every chart is rendered: much smaller than the objects.
        const namer = new ChartNamer(hasDependantCharts);
        const files = this.renderCharts(charts, true, (docs, chart) => [yamlFile(path.join(this.outdir, namer.name(chart) + ext), docs)]);
        writeYamlFiles(files.flat());
        break;
      }
      case YamlOutputType.FILE_PER_RESOURCE: {
        const files = this.renderCharts(charts, true, (docs) => docs.filter((obj) => obj !== undefined)
          .map((obj) => yamlFile(path.join(this.outdir, resourceFileName(obj.kind, obj.metadata.name) + ext), [obj])));
        writeYamlFiles(files.flat());
        break;
      }
      case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
        // App renders this type object by object, without Chart.toJson(): already linear.
        const namer = new ChartNamer(hasDependantCharts);
        for (const chart of charts) {
          const dir = path.join(this.outdir, namer.name(chart));
          const objs = chartToKube(chart);
          fs.mkdirSync(dir, { recursive: true });
          for (const o of objs) Yaml.save(path.join(dir, resourceFileName(o.kind, o.metadata.name!) + ext), [o.toJson()]);
        }
        break;
      }
    }

    if ((this as any).recordConstructMetadata) {
      const resources: { [name: string]: { path: string } } = {};
      for (const o of this.charts.flatMap(chartToKube)) resources[o.name] = { path: o.node.path };
      fs.writeFileSync(path.join(this.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
    }
  }

  /**
   * Synthesizes the app into one YAML string, exactly as `App.synthYaml()` does, in time
   * linear in the number of constructs.
   */
  public synthYaml(): string {
    resolveDependencies(this);
    validateApp(this.node.findAll());
    const charts = this.charts;
    // The first Chart.toJson() of App would resolve and validate again, with nothing new since.
    return Yaml.stringify(...this.renderCharts(charts, false, (docs) => docs).flat());
  }

  /**
   * Renders charts in order as `Object.values(chart.toJson())` would, and returns what `keep`
   * makes of each. `App` resolves and validates the whole app in every `toJson()`; after the
   * first time that changes nothing unless rendering changed the tree, which is checked.
   */
  private renderCharts<T>(charts: Chart[], revalidate: boolean, keep: (docs: any[], chart: Chart) => T): T[] {
    if (charts.length === 0) return [];
    if (revalidate) {
      resolveDependencies(this);
      validateApp(this.node.findAll());
    }
    const before = fingerprint(this);
    const out = charts.map((chart) => keep(chart.toJson === Chart.prototype.toJson
      ? chartToKube(chart).map((o) => o.toJson())
      : Object.values(chart.toJson()), chart));
    assertUnchanged(before, fingerprint(this));
    return out;
  }
}

const SUPPORTED_OUTPUT_TYPES = [
  YamlOutputType.FILE_PER_APP,
  YamlOutputType.FILE_PER_CHART,
  YamlOutputType.FILE_PER_RESOURCE,
  YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
];

// ------------------------------------------------------------------------------------------
// The synthesis steps of cdk8s 2.70.0 lib/app.js (Apache-2.0), kept step for step so that
// dependency order, chart order and file names are the same. test/core/app.test.ts compares
// the result with App and fails when a cdk8s upgrade changes that code.

/** cdk8s `validate()`: every validation of every construct, one error listing all failures. */
function validateApp(all: IConstruct[]): void {
  const errors: string[] = [];
  for (const child of all) {
    for (const error of child.node.validate()) errors.push(`[${child.node.path}] ${error}`);
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/** cdk8s `SynthRequestCache`: `findAll()` once per node for one resolution. */
class FindAllCache {
  private readonly cache = new Map<IConstruct, IConstruct[]>();

  public findAll(c: IConstruct): IConstruct[] {
    let found = this.cache.get(c);
    if (!found) {
      found = c.node.findAll();
      this.cache.set(c, found);
    }
    return found;
  }
}

function buildDependencies(all: IConstruct[]): Array<{ source: IConstruct; target: IConstruct }> {
  const deps = [];
  for (const child of all) {
    for (const dep of child.node.dependencies) deps.push({ source: child, target: dep });
  }
  return deps;
}

/**
 * cdk8s `resolveDependencies()`: nested charts and cross-chart construct dependencies become
 * chart dependencies, and construct dependencies become ApiObject dependencies.
 * @returns whether any chart depends on another (file names then get an index prefix)
 */
function resolveDependencies(app: App): boolean {
  const cache = new FindAllCache();
  const all = cache.findAll(app);
  let hasDependantCharts = false;
  for (const parentChart of all.filter((x) => x instanceof Chart)) {
    for (const childChart of parentChart.node.children.filter((x) => x instanceof Chart)) {
      parentChart.node.addDependency(childChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of buildDependencies(all)) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of buildDependencies(all)) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = cache.findAll(dep.target).filter((c) => c instanceof ApiObject).filter((x) => Chart.of(x) === targetChart);
    const sources = cache.findAll(dep.source).filter((c) => c instanceof ApiObject).filter((x) => Chart.of(x) === sourceChart);
    for (const target of targets) {
      for (const source of sources) {
        if (target !== source) source.node.addDependency(target);
      }
    }
  }
  return hasDependantCharts;
}

/** cdk8s `chartToKube()`: the chart's own ApiObjects (not those of nested charts), in dependency order. */
function chartToKube(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject)
    .filter((x) => Chart.of(x) === chart);
}

/** cdk8s `SimpleChartNamer` / `IndexedChartNamer` (the folder namers are the same). */
class ChartNamer {
  private index = 0;
  constructor(private readonly indexed: boolean) {}

  public name(chart: Chart): string {
    const label = Names.toDnsLabel(chart);
    if (!this.indexed) return label;
    return `${(this.index++).toString().padStart(4, '0')}-${label}`;
  }
}

/** A file as cdk8s's `Yaml.save(file, docs)` writes it: `Yaml.stringify(...docs)`, utf8. */
function yamlFile(file: string, docs: any[]): { file: string; text: string } {
  return { file, text: Yaml.stringify(...docs) };
}

function writeYamlFiles(files: Array<{ file: string; text: string }>): void {
  for (const f of files) fs.writeFileSync(f.file, f.text, { encoding: 'utf8' });
}

function resourceFileName(kind: string, name: string): string {
  return `${kind}.${name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}

/** Constructs and dependency edges in the app: what rendering must not change. */
function fingerprint(app: App): string {
  let constructs = 0;
  let deps = 0;
  for (const c of app.node.findAll()) {
    constructs++;
    deps += c.node.dependencies.length;
  }
  return `${constructs} constructs, ${deps} dependencies`;
}

function assertUnchanged(before: string, after: string): void {
  if (before !== after) {
    throw new Error(
      `LinearApp: rendering the charts changed the construct tree (before: ${before}; after: ${after}), ` +
        "e.g. a Lazy value or a toJson() that adds constructs or dependencies. cdk8s's App resolves the app " +
        'again before every chart and may order such output differently; synthesize this app with App. Nothing was written.',
    );
  }
}
