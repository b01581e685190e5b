import type { Span } from '../model/span';
import { aliyun, genAi, infra, phoenix } from './difyNames';

/** Small predicates over one span; each names the exporter shape it recognises. */

export function isAliyunAppSpan(span: Span): boolean {
  return span.resource.attributes[aliyun.featureKey] === aliyun.featureValue || span.scopeName.includes(aliyun.scopeMarker);
}

export function isPhoenixSpan(span: Span): boolean {
  return (
    phoenix.difyTraceIdKey in span.attributes ||
    phoenix.projectResourceKey in span.resource.attributes
  );
}

/** The span Dify's Phoenix exporter sends when its config is saved, to check the connection. */
export function isPhoenixApiCheck(span: Span): boolean {
  const test = span.attributes[phoenix.apiCheckKey];
  return span.name === phoenix.apiCheckSpan && (test === 'true' || test === true);
}

/** Spans of Dify's own infrastructure telemetry that carry Dify identity (app or node). */
export function isInfraDifySpan(span: Span): boolean {
  return infra.appIdKey in span.attributes || (infra.nodeExecutionIdKey in span.attributes && span.attributes[genAi.framework] === genAi.frameworkValue);
}

/** 32 hex chars as a UUID (Dify's Aliyun trace id is the run id without dashes). */
export function hexToUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
