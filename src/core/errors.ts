import { IConstruct } from 'constructs';

/**
 * Thrown for invalid construct props. The message starts with the construct path, so the
 * user sees where the problem is, followed by the value and how to fix it.
 *
 * Not part of the jsii type model: jsii cannot expose a subclass of `Error` (aws/jsii#50), so
 * this module is not re-exported from the package root. TypeScript users import it from
 * `cdk8s-stateful/lib/core/errors`; every language can test `Errors.isValidationError(e)`.
 */
export class ValidationError extends Error {
  /** Path of the construct whose props are invalid. */
  public readonly constructPath: string;

  constructor(message: string, scope: IConstruct) {
    super(`${scope.node.path || '<root>'}: ${message}`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
    Object.setPrototypeOf(this, ValidationError.prototype);
  }
}

// Warnings live in diagnostics.ts (public); re-exported here for internal imports.
export { Errors, StatefulWarning, Warnings } from './diagnostics';
