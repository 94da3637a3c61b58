import { IConstruct } from 'constructs';

const WARNINGS_KEY = 'cdk8s-stateful:warnings';
const ACK_KEY = 'cdk8s-stateful:acknowledged';
const PRINTED_KEY = 'cdk8s-stateful:printed';

/** A soft problem found at synth time. */
export interface StatefulWarning {
  /** Stable id, for example `@cdk8s-stateful/postgres:singleInstance`. */
  readonly id: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** Path of the construct that raised it. */
  readonly path: string;
}

/**
 * Soft problems with stable ids. They are printed to stderr when the app synthesizes and can
 * be acknowledged one by one with `Warnings.acknowledge(scope, id)`.
 */
export class Warnings {
  /** Warnings for a construct and everything below it. */
  public static of(scope: IConstruct): Warnings {
    return new Warnings(scope);
  }

  /**
   * Acknowledge a warning id for a construct and everything below it: it is no longer listed
   * or printed.
   */
  public static acknowledge(scope: IConstruct, id: string): void {
    const acks = Warnings.ownAcks(scope);
    acks.add(id);
  }

  private static ownAcks(scope: IConstruct): Set<string> {
    const node = scope.node as any;
    if (!node[ACK_KEY]) {
      Object.defineProperty(node, ACK_KEY, { value: new Set<string>(), enumerable: false });
    }
    return node[ACK_KEY];
  }

  private static ownWarnings(scope: IConstruct): StatefulWarning[] {
    const node = scope.node as any;
    if (!node[WARNINGS_KEY]) {
      Object.defineProperty(node, WARNINGS_KEY, { value: [], enumerable: false });
      // Printed when the app validates, i.e. after every acknowledgement has been made. cdk8s's
      // App validates once per chart (LinearApp once or twice): print each warning once per app.
      scope.node.addValidation({
        validate: () => {
          const printed = Warnings.printedIn(scope);
          for (const w of Warnings.ownWarnings(scope)) {
            const key = `${w.path}|${w.id}`;
            if (!Warnings.isAcknowledged(scope, w.id) && !printed.has(key)) {
              printed.add(key);
              process.stderr.write(`[WARNING] ${w.path}: ${w.message} [ack: ${w.id}]\n`);
            }
          }
          return [];
        },
      });
    }
    return node[WARNINGS_KEY];
  }

  private static printedIn(scope: IConstruct): Set<string> {
    const root = scope.node.root.node as any;
    if (!root[PRINTED_KEY]) {
      Object.defineProperty(root, PRINTED_KEY, { value: new Set<string>(), enumerable: false });
    }
    return root[PRINTED_KEY];
  }

  private static isAcknowledged(scope: IConstruct, id: string): boolean {
    return scope.node.scopes.some((s) => {
      const acks: Set<string> | undefined = (s.node as any)[ACK_KEY];
      return acks !== undefined && acks.has(id);
    });
  }

  private constructor(private readonly scope: IConstruct) {}

  /** Add a warning with a stable id to this construct. Adding the same id twice is a no-op. */
  public add(id: string, message: string): void {
    const list = Warnings.ownWarnings(this.scope);
    if (list.some((w) => w.id === id)) return;
    list.push({ id, message, path: this.scope.node.path });
  }

  /** Unacknowledged warnings of this construct and its children, in tree order. */
  public list(): StatefulWarning[] {
    const out: StatefulWarning[] = [];
    for (const c of this.scope.node.findAll()) {
      const own: StatefulWarning[] | undefined = (c.node as any)[WARNINGS_KEY];
      for (const w of own ?? []) {
        if (!Warnings.isAcknowledged(c, w.id)) out.push(w);
      }
    }
    return out;
  }

  /** The ids of `list()`. */
  public ids(): string[] {
    return this.list().map((w) => w.id);
  }
}
