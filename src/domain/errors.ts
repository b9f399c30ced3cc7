// Errors a client can cause. The GraphQL layer turns each into a typed member of a
// mutation's result union; the REST layer into its documented status and body. Messages
// are written for the person reading them and, where Pluto defines one, are Pluto's.

export interface FieldError {
  /** Path of the offending input field, e.g. ["input", "tags", "3"]. */
  path: string[];
  message: string;
}

export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly fields: FieldError[],
  ) {
    super(message);
  }

  static field(path: string[], message: string): ValidationError {
    return new ValidationError(message, [{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  constructor(
    message: string,
    readonly entity: string,
  ) {
    super(message);
  }
}

export class LimitExceededError extends DomainError {
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(
    message: string,
    readonly fromState: string,
    readonly toState: string,
  ) {
    super(message);
  }
}

/** A lookup matched several things (e.g. a display ID shared by two projects' prefixes). */
export class AmbiguousError extends DomainError {
  constructor(
    message: string,
    readonly candidates: string[],
  ) {
    super(message);
  }
}
