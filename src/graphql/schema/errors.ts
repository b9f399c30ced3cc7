import { AmbiguousError, DomainError, InvalidTransitionError, LimitExceededError, NotFoundError, ValidationError } from "../../domain/errors.js";
import { builder } from "../builder.js";

// Typed errors of mutation results: each domain error class is an object type.

export const ErrorInterface = builder.interfaceRef<DomainError>("Error").implement({
  fields: (t) => ({ message: t.exposeString("message") }),
});

const FieldErrorRef = builder.objectRef<{ path: string[]; message: string }>("FieldError").implement({
  description: "One invalid input field. `path` leads to it from the argument, e.g. [\"input\", \"tags\", \"3\"].",
  fields: (t) => ({
    path: t.exposeStringList("path"),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fields: t.field({ type: [FieldErrorRef], resolve: (e) => e.fields }) }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString("entity") }),
});

builder.objectType(LimitExceededError, {
  name: "LimitExceededError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ limit: t.exposeInt("limit") }),
});

builder.objectType(InvalidTransitionError, {
  name: "InvalidTransitionError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fromState: t.exposeString("fromState"), toState: t.exposeString("toState") }),
});

builder.objectType(AmbiguousError, {
  name: "AmbiguousError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ candidates: t.exposeStringList("candidates") }),
});
