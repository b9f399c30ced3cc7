import { builder } from "../builder.js";
import { Run } from "./run.js";

// What a run logged besides metric points: the names it registered (with their kind and
// group), its console output, its alerts (Pluto's logName/add, /ingest/logs, alert).

const LogTypeEnum = builder.enumType("LogType", {
  values: ["METRIC", "IMAGE", "VIDEO", "AUDIO", "FILE", "TEXT", "ARTIFACT", "HISTOGRAM", "TABLE", "DATA"] as const,
});
const ConsoleStreamEnum = builder.enumType("ConsoleStream", { values: ["STDOUT", "STDERR"] as const });

const RunLogName = builder.prismaObject("RunLogName", {
  fields: (t) => ({
    name: t.exposeString("name"),
    logType: t.expose("logType", { type: LogTypeEnum }),
    logGroup: t.exposeString("logGroup", { nullable: true, description: "The part of the name before its last '/'." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const RunLogLine = builder.prismaObject("RunLogLine", {
  fields: (t) => ({
    stream: t.expose("stream", { type: ConsoleStreamEnum }),
    lineNumber: t.exposeInt("lineNumber", { description: "Per stream and process, from 1." }),
    message: t.exposeString("message"),
    time: t.expose("time", { type: "DateTime" }),
  }),
});

const RunAlert = builder.prismaObject("RunAlert", {
  fields: (t) => ({
    level: t.exposeString("level"),
    title: t.exposeString("title"),
    body: t.exposeString("body"),
    email: t.exposeBoolean("email"),
    url: t.exposeString("url", { nullable: true }),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

const RunLogLineConnection = builder.connectionObject({ type: RunLogLine, name: "RunLogLineConnection" });

builder.prismaObjectFields(Run, (t) => ({
  logNames: t.relation("logNames", {
    description: "Names the run logs under, with their kind and group, in the order registered.",
    args: { logType: t.arg({ type: LogTypeEnum }) },
    query: (args) => ({ where: args.logType ? { logType: args.logType } : {}, orderBy: { id: "asc" as const } }),
  }),
  logs: t.relatedConnection(
    "logLines",
    {
      description: "Console output in the order received.",
      cursor: "id",
      totalCount: true,
      args: { stream: t.arg({ type: ConsoleStreamEnum }) },
      query: (args) => ({ where: args.stream ? { stream: args.stream } : {}, orderBy: { id: "asc" as const } }),
    },
    RunLogLineConnection,
  ),
  alerts: t.relation("alerts", { description: "Alerts the run raised, oldest first.", query: { orderBy: { id: "asc" as const } } }),
}));
