/**
 * The demo's RunRecord (runRecords.ts) in the corpus's RunRec form (test/corpus/runModel.ts), so the corpus's
 * exporter renderers (test/corpus/shapes/phoenix.ts, langfuse.ts) can render the same Dify run. Both records
 * are the same Dify tables (WorkflowRun + WorkflowNodeExecution); only the field layout differs.
 */
import type { NodeError } from '../corpus/errors';
import type { NodeExec, RunRec } from '../corpus/runModel';
import { MODEL } from './demoContent';
import { APP } from './demoRuns';
import { PLUGIN } from './plugin';
import type { NodeRecord, RunRecord } from './runRecords';

/** The error kind and (for the Code node) the language its Python traceback reveals. */
function nodeError(record: RunRecord, n: NodeRecord): NodeError | null {
  const failure = record.run.failure;
  if (n.error === null || failure === null) return null;
  return failure.kind === 'plugin' ? { kind: 'pluginInvoke', text: n.error } : { kind: 'sandbox', text: n.error, codeLanguage: 'python3' };
}

export function corpusRunOf(record: RunRecord): RunRec {
  const { run } = record;
  let predecessor: string | null = null;
  const nodes = record.nodes.map((n): NodeExec => {
    const exec: NodeExec = {
      key: n.key,
      nodeId: n.node.id,
      executionId: n.executionId,
      type: n.node.type,
      title: n.node.title,
      status: n.status,
      error: nodeError(record, n),
      startMs: n.startMs,
      endMs: n.endMs,
      inputs: n.inputs,
      processData: n.processData,
      outputs: n.outputs,
      metadata: n.metadata,
      predecessorNodeId: predecessor,
      ...(n.node.type === 'tool' ? { pluginId: `${PLUGIN.author}/${PLUGIN.name}` } : {}),
    };
    predecessor = n.node.id;
    return exec;
  });
  const usage = record.nodes.find((n) => n.node.type === 'llm')?.processData?.['usage'];
  const tokens = typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? (usage as Record<string, unknown>) : {};
  const prompt = Number(tokens['prompt_tokens'] ?? 0);
  const completion = Number(tokens['completion_tokens'] ?? 0);
  const errorKind = run.failure === null ? undefined : run.failure.kind === 'plugin' ? 'pluginInvoke' : 'sandbox';
  return {
    seed: `demo:run${run.index}`,
    kind: 'workflow',
    appName: run.appName,
    appId: APP.id,
    tenantId: APP.tenantId,
    userId: APP.endUserId,
    workflowId: APP.workflowId,
    workflowRunId: run.workflowRunId,
    messageId: null,
    conversationId: null,
    status: run.status,
    error: record.error ?? '',
    ...(errorKind === undefined ? {} : { errorKind }),
    startMs: record.startMs,
    endMs: record.endMs,
    inputs: record.inputs,
    outputs: record.outputs,
    nodes,
    tokens: { prompt, completion, total: prompt + completion },
    query: '',
    infraTraceId: run.infraTraceId,
    model: MODEL,
  };
}
