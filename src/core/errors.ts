import { IConstruct } from 'constructs';

/**
 * Thrown for invalid construct props. The message starts with the construct path, so the
 * user sees where the problem is, followed by the value and how to fix it. `code` is stable
 * across releases (docs/errors.md lists every code), so tools can match on it.
 *
 * Not part of the jsii type model: jsii cannot expose a subclass of `Error` (aws/jsii#50), so
 * this module is not re-exported from the package root. TypeScript users import it from
 * `cdk8s-stateful/lib/core/errors`; every language can test `Errors.isValidationError(e)` and
 * read `Errors.codeOf(e)`.
 */
export class ValidationError extends Error {
  /** Path of the construct whose props are invalid. */
  public readonly constructPath: string;
  /** Stable code of this kind of error, e.g. `WorkloadReplicasInvalid`. */
  public readonly code: string;

  constructor(code: string, message: string, scope: IConstruct) {
    super(`${scope.node.path || '<root>'}: ${message}`);
    this.name = 'ValidationError';
    this.code = code;
    this.constructPath = scope.node.path;
    Object.setPrototypeOf(this, ValidationError.prototype);
  }
}

/** Helpers to recognise this library's errors from any jsii language. */
export class Errors {
  /** Whether `x` is a ValidationError thrown by a construct of this library. */
  public static isValidationError(x: any): boolean {
    return x instanceof ValidationError;
  }

  /** The stable code of a ValidationError (see docs/errors.md), or undefined for any other value. */
  public static codeOf(x: any): string | undefined {
    return x instanceof ValidationError ? x.code : undefined;
  }

  private constructor() {}
}
