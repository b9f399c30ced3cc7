import "./metric-value.js";
import "./errors.js";
import "./organization.js";
import "./run-state-event.js";
import "./metric.js";
import "./run.js";
import "./run-logs.js";
import "./project.js";
import "./mutations/create-run.js";
import "./mutations/update-run.js";
import "./mutations/log-metrics.js";
import "./subscriptions.js";
import { builder } from "../builder.js";

export const schema = builder.toSchema({ sortSchema: true });
