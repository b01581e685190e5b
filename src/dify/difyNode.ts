/** What a span says about the Dify workflow node it stands for, whichever exporter wrote it. */
export interface DifyNode {
  /** Node type string as graphon's BuiltinNodeTypes spells it (`llm`, `tool`, `code`, ...); undefined when the shape does not say. */
  readonly nodeType?: string;
  /** Node title (the span name for Aliyun and Langfuse). */
  readonly title: string;
  /** Graph node id (DSL `graph.nodes[].id`). */
  readonly nodeId?: string;
  /** node_execution.id (Aliyun span id source, Langfuse observation id). */
  readonly nodeExecutionId?: string;
  readonly iterationIndex?: number;
  readonly loopIndex?: number;
  readonly parallelId?: string;
  /** For tool nodes backed by a plugin (tool_info). */
  readonly plugin?: { readonly pluginId: string; readonly version?: string; readonly provider?: string; readonly toolName?: string; readonly uniqueIdentifier?: string };
  /** For Code nodes: `python3` or `javascript`. */
  readonly codeLanguage?: string;
}
